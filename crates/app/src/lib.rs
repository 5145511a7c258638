//! Use cases of Redress and the ports they need. The HTTP layer and the worker call these; the
//! store adapters implement the ports. Authorization lives here, once, for every caller.

pub mod access;
pub mod auth;
pub mod blobs;
pub mod calendar;
pub mod cases;
pub mod clock;
pub mod contacts;
pub mod conversations;
pub mod dashboards;
pub mod dossier;
pub mod email;
pub mod error;
pub mod escalations;
pub mod evidence;
pub mod gates;
pub mod idempotency;
pub mod kept;
pub mod keys;
pub mod narrative;
pub mod notices;
pub mod orders;
pub mod policy;
pub mod ports;
pub mod regulator;
pub mod reminders;
pub mod rights;
pub mod seal;
pub mod search;
pub mod sweep;
pub mod telemetry;
pub mod users;
pub mod views;
pub mod webhooks;

pub use access::{Principal, Role};
pub use error::AppError;
pub use ports::{Store, StoreError};

use std::sync::Arc;

/// Everything a use case needs, shared by the web server and the worker: one `Arc` of its
/// [`AppParts`], since every request clones it (a dozen reference counts each, bounced between
/// cores, were 4% of a case detail's time) and none changes a part once built.
#[derive(Clone)]
pub struct App(Arc<AppParts>);

impl std::ops::Deref for App {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

impl From<AppParts> for App {
    fn from(parts: AppParts) -> App {
        App(Arc::new(parts))
    }
}

impl App {
    /// An app on `store` with the defaults (see [`AppParts::new`]).
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn clock::Clock>, blobs: Arc<dyn blobs::Blobs>) -> App {
        App::from(AppParts::new(store, clock, blobs))
    }

    /// Its parts, to build another app from (a test's with another clock).
    pub fn parts(&self) -> AppParts {
        (*self.0).clone()
    }
}

/// The parts of an [`App`].
#[derive(Clone)]
pub struct AppParts {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn clock::Clock>,
    pub calendar: Arc<calendar::SharedCalendar>,
    pub gateway: Arc<dyn ports::PaymentGateway>,
    /// Evidence files and their previews, keyed by content hash.
    pub blobs: Arc<dyn blobs::Blobs>,
    pub evidence_limits: evidence::EvidenceLimits,
    /// Where and how webhooks are sent.
    pub webhooks: Arc<webhooks::WebhookSettings>,
    /// Failed logins per login name, to slow password guessing down.
    pub login_throttle: Arc<auth::LoginThrottle>,
    /// Bounds on previews decoded and dossiers exported at once.
    pub gates: Arc<gates::Gates>,
    /// The platform's keys, each read from the database once.
    pub keys: Arc<keys::PlatformKeys>,
    /// What a case's detail reads that never changes once written.
    pub case_reads: Arc<kept::CaseReads>,
}

impl AppParts {
    /// The parts of an app on `store` with the defaults: the embedded calendar, the ledger as
    /// payment gateway, default evidence limits and webhook settings, and empty caches. Callers
    /// change a field before making the app where they need other settings.
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn clock::Clock>, blobs: Arc<dyn blobs::Blobs>) -> AppParts {
        AppParts {
            gateway: Arc::new(ports::LedgerGateway { store: store.clone(), clock: clock.clone() }),
            store,
            clock,
            calendar: Arc::new(calendar::SharedCalendar::new(redress_law::BusinessCalendar::embedded())),
            blobs,
            evidence_limits: Default::default(),
            webhooks: Default::default(),
            login_throttle: Default::default(),
            gates: Default::default(),
            keys: Default::default(),
            case_reads: Default::default(),
        }
    }
}
