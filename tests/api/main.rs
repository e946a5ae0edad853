//! Integration tests: the real application over HTTP, on SQLite or PostgreSQL.

#[path = "../fixtures/images.rs"]
#[allow(dead_code)]
mod fixtures;

mod accounts;
mod authorization;
mod buildings;
mod helpers;
mod notifications;
mod page_costs;
mod pages;
mod photos;
mod report_loop;
mod report_pages;
mod reports;
mod smtp;
mod wedge;
mod work_orders;
