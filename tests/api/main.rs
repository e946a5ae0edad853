//! Integration tests: the real application over HTTP, on SQLite or PostgreSQL.

#[path = "../fixtures/images.rs"]
#[allow(dead_code)]
mod fixtures;

mod accounts;
mod agencies;
mod authorization;
mod backup;
mod buildings;
mod dispatch;
mod helpers;
mod idempotency;
mod lifecycle;
mod lots;
mod news;
mod notifications;
mod operations;
mod page_costs;
mod pages;
mod personal_data;
mod photos;
mod portfolio;
mod provider_info;
mod report_loop;
mod report_pages;
mod reports;
mod search;
mod security;
mod smtp;
mod urgent;
mod wedge;
mod work_orders;
