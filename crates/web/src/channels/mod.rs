//! The channels beyond the portal's pages: online consultation, the kiosk, the
//! LED screen feed, notice-board sheets, and submission packages to a superior
//! platform, with their back-office settings.

use axum::Router;

use crate::AppState;

pub mod admin;
pub mod boards;
pub mod consult;
pub mod kiosk;
pub mod led;
pub mod package;
pub mod submission;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(consult::routes())
        .merge(submission::routes())
        .merge(led::routes())
        .merge(boards::routes())
        .merge(kiosk::routes())
        .merge(admin::routes())
}
