//! JSON API under `/api/v1`, described by an OpenAPI document generated from these handlers.

mod accounts;
mod agencies;
mod buildings;
mod lots;
mod notifications;
mod photos;
pub mod provider_link;
mod report_out;
pub mod reports;
pub mod work_orders;

use axum::Router;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Palier API", description = "Reports, work orders and building life for residential common areas."),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Every error: a message in the caller's language, and the field at fault if any.
#[derive(serde::Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub field: Option<String>,
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = routes().split_for_parts();
    doc
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(agencies::routes())
        .merge(buildings::routes())
        .merge(lots::routes())
        .merge(reports::routes())
        .merge(photos::routes())
        .merge(notifications::routes())
        .merge(work_orders::routes())
        .merge(provider_link::routes())
}

pub fn router() -> Router<AppState> {
    let (router, doc) = routes().split_for_parts();
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/v1/openapi.json",
        get(move || async move { axum::Json((*doc).clone()) }),
    )
}
