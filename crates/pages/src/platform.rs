//! The platform's queue (agents and admins): cases in platform review, soonest deadline first.
//! The agent's workbench and the admin pages build on this and the shared case page.

use crate::case::{queue_page, row};
use crate::failure::Failure;
use crate::session::Signed;
use axum::extract::State;
use axum::response::Response;
use redress_app::App;
use redress_app::ports::CaseFilter;

/// `GET /platform`
pub async fn queue(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = signed.tr;
    if !signed.principal.is_platform() {
        return Err(Failure::Forbidden(t));
    }
    let filter = CaseFilter { stage: Some("platform".into()), sort_by_due: true, ..Default::default() };
    let cases = app.list_cases(&signed.principal, filter, Some(100)).await.map_err(|e| Failure::from_app(e, t))?;
    let (reader, now) = (signed.principal.actor().party(), app.clock.now());
    let rows = cases.iter().map(|c| row(c, reader, now, t)).collect();
    Ok(queue_page(&signed, t.get("platform-title"), rows))
}
