//! Limits that keep one client from hurting the rest: how long a connection may take to send a
//! request, how many connections are open at once, and how fast an address or an account may
//! change things. A request over a rate is answered at once with a `rate_limited` problem and
//! `Retry-After`, before it costs the database anything more than finding its caller.
//!
//! Rates are counted in each server process (several processes behind a balancer each allow the
//! rate); login guessing is throttled in the store, across processes (`redress_app::auth`).

use crate::problem::Problem;
use axum::extract::{ConnectInfo, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use redress_app::Principal;
use redress_domain::Detail;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// `router` with a body limit of `bytes` whose refusal says the limit (tower-http's own answer
/// is an empty 413).
pub fn with_body_limit<S: Clone + Send + Sync + 'static>(router: axum::Router<S>, bytes: usize) -> axum::Router<S> {
    router
        .layer(tower_http::limit::RequestBodyLimitLayer::new(bytes))
        .layer(axum::middleware::map_response_with_state(bytes, told_the_limit))
}

async fn told_the_limit(axum::extract::State(bytes): axum::extract::State<usize>, response: Response) -> Response {
    // A handler's own refusal (a file over its limit) carries its problem already.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && response.extensions().get::<Problem>().is_none() {
        return body_too_large(bytes).into_response();
    }
    response
}

/// The refusal of a body over `bytes`, saying what the limit is.
pub fn body_too_large(bytes: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        Some(redress_domain::Detail::BodyLimit { bytes: bytes as u64 }),
    )
}

/// `per_minute` requests a minute on average, at most `burst` at once. `per_minute == 0`: no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const OFF: Rate = Rate { per_minute: 0, burst: 0 };
}

/// Everything the server limits; `Limits::default()` is what `redress serve` uses unless told.
#[derive(Clone, Debug)]
pub struct Limits {
    /// From a connection's first byte (or the end of its last answer) to the end of the request's
    /// headers; a connection that takes longer is closed.
    pub header_read_timeout: Duration,
    /// Longest wait for the next piece of a request body.
    pub body_read_timeout: Duration,
    /// Open connections at most; more wait in the kernel's queue until one closes.
    pub max_connections: usize,
    /// Open connections from one address at most (0: no cap); one more is closed at once, so
    /// one address holding connections open (half-sent requests) leaves the rest to others.
    /// Behind a proxy every client has the proxy's address: set it to 0 there.
    pub max_connections_per_address: usize,
    /// Login requests from one address.
    pub logins_per_address: Rate,
    /// Changes (POST, PUT, PATCH, DELETE) from one address, over every account behind it.
    pub writes_per_address: Rate,
    /// Changes by one account (a person, or a shop's API tokens together).
    pub writes_per_account: Rate,
    /// Cases filed by one account (also counted as changes).
    pub filings_per_account: Rate,
    /// Evidence uploads by one account (also counted as changes).
    pub uploads_per_account: Rate,
    /// Reads of the public pages and endpoints (merchant reputation) from one address: anyone
    /// may read them without signing in, so an address is held to this.
    pub public_reads_per_address: Rate,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 512,
            max_connections_per_address: 128,
            logins_per_address: Rate { per_minute: 30, burst: 10 },
            writes_per_address: Rate { per_minute: 3000, burst: 300 },
            writes_per_account: Rate { per_minute: 120, burst: 30 },
            filings_per_account: Rate { per_minute: 10, burst: 5 },
            uploads_per_account: Rate { per_minute: 30, burst: 10 },
            public_reads_per_address: Rate { per_minute: 120, burst: 30 },
        }
    }
}

impl Limits {
    /// The same timeouts and connection cap, without rate limits.
    pub fn without_rates(self) -> Limits {
        let off = Rate::OFF;
        Limits {
            logins_per_address: off,
            writes_per_address: off,
            writes_per_account: off,
            filings_per_account: off,
            uploads_per_account: off,
            public_reads_per_address: off,
            ..self
        }
    }
}

type Keyed<K> = governor::DefaultKeyedRateLimiter<K>;

fn keyed<K: std::hash::Hash + Eq + Clone>(rate: Rate) -> Option<Keyed<K>> {
    let per_minute = NonZeroU32::new(rate.per_minute)?;
    let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
    Some(governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute).allow_burst(burst)))
}

/// Takes one request from `key`'s allowance, or says how long until there is one.
fn take<K: std::hash::Hash + Eq + Clone>(limiter: &Option<Keyed<K>>, key: &K) -> Result<(), Duration> {
    match limiter {
        None => Ok(()),
        Some(l) => l.check_key(key).map_err(|not_until| not_until.wait_time_from(l.clock().now())),
    }
}

/// The rate limiters of one server process.
pub(crate) struct Limiters {
    logins_per_address: Option<Keyed<IpAddr>>,
    writes_per_address: Option<Keyed<IpAddr>>,
    writes_per_account: Option<Keyed<String>>,
    filings_per_account: Option<Keyed<String>>,
    uploads_per_account: Option<Keyed<String>>,
    public_reads_per_address: Option<Keyed<IpAddr>>,
}

impl Limiters {
    pub(crate) fn new(limits: &Limits) -> Limiters {
        Limiters {
            logins_per_address: keyed(limits.logins_per_address),
            writes_per_address: keyed(limits.writes_per_address),
            writes_per_account: keyed(limits.writes_per_account),
            filings_per_account: keyed(limits.filings_per_account),
            uploads_per_account: keyed(limits.uploads_per_account),
            public_reads_per_address: keyed(limits.public_reads_per_address),
        }
    }

    /// Forgets the clients whose allowance is full again (run now and then: the maps only grow).
    pub(crate) fn forget_idle(&self) {
        for limiter in
            [&self.logins_per_address, &self.writes_per_address, &self.public_reads_per_address].into_iter().flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let accounts = [&self.writes_per_account, &self.filings_per_account, &self.uploads_per_account];
        for limiter in accounts.into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// An authenticated change by `principal`: its account's allowances.
    pub(crate) fn take_account(&self, principal: &Principal, method: &Method, path: &str) -> Result<(), Duration> {
        if !is_change(method) {
            return Ok(());
        }
        let account = match principal {
            Principal::User(user) => format!("user:{}", user.id),
            Principal::MerchantToken { merchant, .. } => format!("shop:{merchant}"),
        };
        take(&self.writes_per_account, &account)?;
        if method == Method::POST && path == "/api/v1/cases" {
            take(&self.filings_per_account, &account)?;
        }
        if crate::routes::evidence::is_upload(method, path) {
            take(&self.uploads_per_account, &account)?;
        }
        Ok(())
    }
}

/// The paths anyone may read without signing in that cost the database a query.
pub fn is_public_read(path: &str) -> bool {
    path.starts_with("/api/v1/reputation/") || path.starts_with("/shops/")
}

fn is_change(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// How long a refused request's answer is held back.
const HOLD: Duration = Duration::from_secs(1);

/// The 429 answer: `rate_limited`, and when to come back (`Retry-After`, at least 1 s). It is
/// sent after `HOLD`: a client that ignores `Retry-After` then gets one answer a second per
/// connection, instead of thousands of refusals a second taken from the CPU that every other
/// client shares (connections are capped, so held answers cannot pile up).
pub(crate) async fn rate_limited(wait: Duration) -> Problem {
    tokio::time::sleep(HOLD).await;
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", Some(Detail::RetryIn { seconds })).retry_after(seconds)
}

/// The client's address, as the connection gives it (no proxy header is trusted).
pub(crate) fn client_address(request_extensions: &axum::http::Extensions) -> IpAddr {
    request_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(peer)| redress_app::auth::client_address(peer.ip()))
}

/// The per-address limits, before anything else runs; the account's are taken by `Caller` once
/// it knows who asks.
pub(crate) async fn per_address(
    axum::extract::State(limiters): axum::extract::State<Arc<Limiters>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_change(request.method()) && is_public_read(request.uri().path()) {
        let address = client_address(request.extensions());
        if let Err(wait) = take(&limiters.public_reads_per_address, &address) {
            return rate_limited(wait).await.into_response();
        }
    }
    if is_change(request.method()) {
        let address = client_address(request.extensions());
        let mut taken = take(&limiters.writes_per_address, &address);
        if taken.is_ok() && request.uri().path() == "/api/v1/auth/login" {
            taken = take(&limiters.logins_per_address, &address);
        }
        if let Err(wait) = taken {
            return rate_limited(wait).await.into_response();
        }
    }
    // The pages take the same account allowances as the API (a page's path counted as the API's).
    let pages = limiters.clone();
    request.extensions_mut().insert(redress_pages::AccountAllowance(Arc::new(move |principal, method, path| {
        page_as_api(path).map_or(Ok(()), |path| pages.take_account(principal, method, &path))
    })));
    request.extensions_mut().insert(limiters);
    next.run(request).await
}

/// The API path whose allowances a page's form takes: the filing form files a case, the case
/// page's upload adds evidence, any other form is a change like any other; `None` for the
/// complaint checker's live reading of a draft, which changes nothing (it runs as the buyer types).
fn page_as_api(path: &str) -> Option<String> {
    if path.starts_with("/orders/") && path.ends_with("/check") {
        return None;
    }
    Some(match path.strip_prefix("/orders/").and_then(|rest| rest.strip_suffix("/file")) {
        Some(_) => "/api/v1/cases".to_owned(),
        None if path.starts_with("/cases/") && path.ends_with("/evidence") => format!("/api/v1{path}"),
        None => path.to_owned(),
    })
}

/// Longest request URI, and most and largest request headers, answered with a problem (hyper
/// itself answers beyond 64 KiB of URI and about 400 KiB of headers, with an empty body).
pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses a request whose URI or headers are too large, with a problem like any other.
pub(crate) async fn request_size(request: Request, next: Next) -> Response {
    let uri = request.uri();
    if uri.path().len() + uri.query().map_or(0, str::len) > MAX_URI_BYTES {
        let limit = redress_domain::Detail::UriLimit { bytes: MAX_URI_BYTES as u64 };
        return Problem::new(StatusCode::URI_TOO_LONG, "uri_too_long", Some(limit)).into_response();
    }
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        let limit = redress_domain::Detail::HeadersLimit { count: MAX_HEADERS as u64, bytes: MAX_HEADER_BYTES as u64 };
        return Problem::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", Some(limit))
            .into_response();
    }
    next.run(request).await
}
