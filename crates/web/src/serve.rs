//! The accept loop: HTTP/1 connections with a header read timeout, at most `max_connections` at
//! once and `max_connections_per_address` from one address, accept errors (out of file
//! descriptors) answered by backing off, and a graceful stop.
//! `axum::serve` has none of the first three, so a few hundred half-sent requests could hold
//! every file descriptor.

use crate::limits::Limits;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::time::Duration;
use tower::ServiceExt;

/// Open requests get this long to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    // Up to 1,000 headers reach `limits::request_size`, which answers more than 100 with a problem.
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).max_headers(1000);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let per_address =
        std::sync::Arc::new(PerAddress { cap: limits.max_connections_per_address, open: Default::default() });
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    tokio::pin!(shutdown);
    let mut backoff = Duration::ZERO;
    loop {
        // A free slot first: when all are taken, new connections wait in the kernel's backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => {
                backoff = Duration::ZERO;
                accepted
            }
            // This one connection failed before it was ours; the next may be fine.
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                // Out of file descriptors or memory: trying again at once would spin.
                backoff = (backoff * 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
                tracing::warn!(error = %e, ?backoff, "accept failed; backing off");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => continue,
                    () = &mut shutdown => break,
                }
            }
        };
        // One address past its share is closed at once (its slot freed), not queued.
        let Some(address_slot) = per_address.admit(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: its address holds its share of connections");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop((slot, address_slot));
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("shutdown: requests still open after {SHUTDOWN_GRACE:?} were cut off");
    }
    Ok(())
}

/// Open connections by client address, each at most `cap` (0: no cap).
struct PerAddress {
    cap: usize,
    open: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, usize>>,
}

/// A connection counted against its address until it is dropped.
struct AddressSlot {
    of: std::sync::Arc<PerAddress>,
    ip: std::net::IpAddr,
}

impl PerAddress {
    fn admit(self: &std::sync::Arc<Self>, ip: std::net::IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(ip).or_default();
        if self.cap > 0 && *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(AddressSlot { of: self.clone(), ip })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.of.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock)
}
