//! Answer by e-mail (N6): a building's intake address and a work order's e-mail replies.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ErrorBody;
use crate::app::AppState;
use crate::domain::mail_in;
use crate::web::error::WebResult;
use crate::web::extract::User;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(intake_address))
        .routes(routes!(work_order_messages))
        .routes(routes!(revoke_reply_addresses))
}

#[derive(Serialize, ToSchema)]
pub struct RevokedOut {
    /// How many reply addresses stopped working.
    revoked: u64,
}

/// Revokes every reply address the caller was sent (a mailbox in the wrong hands): answers
/// to those e-mails are ignored from then on.
#[utoipa::path(post, path = "/api/v1/me/reply-addresses/revoke", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = RevokedOut)))]
async fn revoke_reply_addresses(
    State(state): State<AppState>,
    User(actor, _): User,
) -> WebResult<Json<RevokedOut>> {
    Ok(Json(RevokedOut {
        revoked: mail_in::tokens::revoke_for_person(&state, &actor.person_id).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct IntakeAddressOut {
    /// `signaler+<token>@…`; null when the server has no reply address configured.
    address: Option<String>,
}

/// The building's intake address: members who write to it file a report (staff only).
#[utoipa::path(get, path = "/api/v1/buildings/{id}/intake-address", tag = "buildings", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = IntakeAddressOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn intake_address(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<IntakeAddressOut>> {
    Ok(Json(IntakeAddressOut {
        address: mail_in::tokens::intake_address(&state, &actor, &id).await?,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct WorkOrderMessageOut {
    id: String,
    /// The provider's address it came from.
    from: String,
    body: String,
    /// ISO 8601 (UTC).
    at: String,
}

/// The provider's e-mail replies to a work order, oldest first (managers of its agency).
#[utoipa::path(get, path = "/api/v1/work-orders/{id}/messages", tag = "work orders", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = [WorkOrderMessageOut]), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn work_order_messages(
    State(state): State<AppState>,
    User(actor, _): User,
    Path(id): Path<String>,
) -> WebResult<Json<Vec<WorkOrderMessageOut>>> {
    let list = mail_in::work_order_messages(&state, &actor, &id).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| WorkOrderMessageOut {
                id: m.id,
                from: m.from,
                body: m.body,
                at: crate::clock::iso(m.at),
            })
            .collect(),
    ))
}
