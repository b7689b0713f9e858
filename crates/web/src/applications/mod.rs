//! Applications for disclosure (依申请公开): the citizen's online form, receipt
//! and tracking page, the staff case work, letters, and the appeal register.

use axum::Router;

use crate::AppState;

pub mod appeals;
pub mod apply;
pub mod cases;
pub mod letters;
pub mod settings;

pub fn routes() -> Router<AppState> {
    Router::new().merge(apply::routes()).merge(cases::routes()).merge(letters::routes()).merge(appeals::routes()).merge(settings::routes())
}
