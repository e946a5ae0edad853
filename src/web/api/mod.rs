//! JSON API under `/api/v1`, described by an OpenAPI document generated from these handlers.

mod accounts;
mod agencies;
pub mod announcements;
mod buildings;
mod calendar;
mod claim_out;
pub mod claims;
mod dashboard;
mod lifecycle;
mod lots;
mod mail_in;
mod notifications;
mod photos;
pub mod polls;
mod portfolio;
pub mod provider_link;
mod report_out;
pub mod reports;
mod search;
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
    let (_, mut doc) = routes().split_for_parts();
    declare_common_errors(&mut doc);
    declare_enums(&mut doc);
    doc
}

/// Request fields the server checks against a closed list (the domain parsers' values):
/// declared as enums so clients and contract tests know them.
pub const ENUM_FIELDS: [(&str, &str, &[&str]); 13] = [
    ("RegisterRequest", "occupancy", &["owner", "tenant"]),
    (
        "CommentRequest",
        "audience",
        &["all", "council", "person", "landlord"],
    ),
    ("RoleRequest", "role", &["occupant", "referent"]),
    ("RoleRequest", "kind", &["council", "caretaker"]),
    ("SettingsBody", "mode", &["immediate", "digest"]),
    ("WorkOrderIn", "priority", &["", "low", "normal", "urgent"]),
    (
        "AnnouncementIn",
        "audience",
        &["all", "owners", "tenants", "council"],
    ),
    (
        "AnnouncementEdit",
        "audience",
        &["all", "owners", "tenants", "council"],
    ),
    ("PollIn", "audience", &["all", "owners", "tenants"]),
    ("PollIn", "results_visible", &["after_vote", "after_close"]),
    ("TemplateIn", "lang", &["fr", "en"]),
    ("ClaimIn", "kind", &crate::domain::claims::KINDS),
    ("StatusIn", "status", &["settled", "refused", "closed"]),
];

fn declare_enums(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (schema, field, values) in ENUM_FIELDS {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema) else {
            continue;
        };
        let Some(RefOr::T(Schema::Object(prop))) = object.properties.get_mut(field) else {
            continue;
        };
        let mut listed: Vec<serde_json::Value> = values.iter().map(|v| (*v).into()).collect();
        if matches!(&prop.schema_type, SchemaType::Array(t) if t.contains(&Type::Null)) {
            listed.push(serde_json::Value::Null);
        }
        prop.enum_values = Some(listed);
    }
}

/// Declares the error answers every handler can give through the shared extractors and
/// error mapping, so the document lists every status the server may send: 400 (unreadable
/// body or query), 401 (no or bad token), 403 (role), 404 (unknown id in the path),
/// 409 (state conflict), 413 (body too large), 422 (invalid field), 503 (busy, with
/// Retry-After). A status a handler declares itself is left as it is.
fn declare_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let in_path = path.contains('{');
        if let Some(op) = item.post.as_mut()
            && op.security.as_ref().is_some_and(|s| !s.is_empty())
        {
            declare_idempotency_key(op);
        }
        let ops = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (op, mutating) in ops {
            let Some(op) = op.as_mut() else { continue };
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_body = op.request_body.is_some();
            let has_query = op.parameters.as_ref().is_some_and(|p| {
                p.iter().any(|p| {
                    matches!(p, utoipa::openapi::RefOr::T(p)
                        if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
                })
            });
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description).into());
            };
            if has_body || has_query {
                add("400", "Unreadable request");
                add("422", "Invalid field");
            }
            if has_body {
                add("413", "Request body too large");
            }
            if secured {
                add("401", "Missing, unknown or revoked token");
                add("403", "Not allowed for this role");
            }
            if in_path {
                add("404", "Not found, or not visible to the caller");
            }
            if mutating {
                add("409", "Conflicts with the current state");
                add("422", "Invalid field");
            }
            add(
                "503",
                "Busy for a moment: retry after the Retry-After delay",
            );
        }
    }
}

fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(accounts::routes())
        .merge(agencies::routes())
        .merge(buildings::routes())
        .merge(dashboard::routes())
        .merge(lifecycle::routes())
        .merge(lots::routes())
        .merge(portfolio::routes())
        .merge(reports::routes())
        .merge(photos::routes())
        .merge(notifications::routes())
        .merge(work_orders::routes())
        .merge(provider_link::routes())
        .merge(announcements::routes())
        .merge(polls::routes())
        .merge(mail_in::routes())
        .merge(claims::routes())
        .merge(search::routes())
        .merge(calendar::routes())
}

pub fn router() -> Router<AppState> {
    let (router, mut doc) = routes().split_for_parts();
    declare_common_errors(&mut doc);
    declare_enums(&mut doc);
    let doc = std::sync::Arc::new(doc);
    router.route(
        "/api/v1/openapi.json",
        get(move || async move { axum::Json((*doc).clone()) }),
    )
}

/// Signed-in POST requests accept an `Idempotency-Key` (see `web::idempotency`): a retry
/// with the same key and body gets the first answer; 400 for a malformed key, 409 while
/// the first request still runs, 422 for the same key with another body.
fn declare_idempotency_key(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::ObjectBuilder;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::Type;
    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(
            "Makes a retry safe: the same key and body within 24 hours get the first answer",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(200))
                .pattern(Some("^[!-~]+$")),
        ))
        .build();
    op.parameters
        .get_or_insert_with(Vec::new)
        .push(parameter.into());
    let error = utoipa::openapi::ResponseBuilder::new()
        .description("Malformed Idempotency-Key")
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    op.responses
        .responses
        .entry("400".to_string())
        .or_insert_with(|| error.into());
}
