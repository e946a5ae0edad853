//! Reply templates (R4): agency-wide ready-made answers, edited by managers.

use crate::auth::Actor;
use crate::auth::authz::Action;
use crate::db::report_items as items;
use crate::domain::Context;
use crate::domain::buildings;
use crate::domain::types::text;
use crate::domain::{AppError, AppResult};

use super::MAX_COMMENT;

/// Reply templates of the building's agency (R4): managers edit them.
pub async fn save_template(
    state: &Context,
    actor: &Actor,
    building_id: &str,
    id: Option<&str>,
    title: &str,
    body: &str,
) -> AppResult<()> {
    let (building, _) =
        buildings::authorize(state, actor, building_id, Action::ManageBuilding).await?;
    let title = text("title", title, 80)?;
    let body = text("body", body, MAX_COMMENT)?;
    match id {
        Some(id) => {
            if items::update_template(&state.db.pool, &building.agency_id, id, &title, &body)
                .await?
                == 0
            {
                return Err(AppError::NotFound);
            }
        }
        None => {
            items::insert_template(
                &state.db.pool,
                &building.agency_id,
                &title,
                &body,
                100,
                state.clock.now_ms(),
            )
            .await?;
        }
    }
    Ok(())
}

pub async fn delete_template(
    state: &Context,
    actor: &Actor,
    building_id: &str,
    id: &str,
) -> AppResult<()> {
    let (building, _) =
        buildings::authorize(state, actor, building_id, Action::ManageBuilding).await?;
    match items::delete_template(&state.db.pool, &building.agency_id, id).await? {
        0 => Err(AppError::NotFound),
        _ => Ok(()),
    }
}

/// Seeds the default reply templates of a new agency, in its language.
pub async fn seed_templates(state: &Context, agency_id: &str) -> AppResult<()> {
    if !items::templates_of(&state.db.pool, agency_id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let lang = crate::domain::buildings::agency_lang(state, agency_id).await?;
    for (position, key) in ["received", "provider", "scheduled", "resolved"]
        .iter()
        .enumerate()
    {
        let title = lang.t(&format!("template.{key}.title"));
        let body = lang.t(&format!("template.{key}.body"));
        items::insert_template(
            &state.db.pool,
            agency_id,
            title,
            body,
            position as i64,
            state.clock.now_ms(),
        )
        .await?;
    }
    Ok(())
}
