//! Integration tests: the real application over HTTP, on SQLite or PostgreSQL.

mod accounts;
mod authorization;
mod buildings;
mod helpers;
mod notifications;
mod pages;
mod photos;
mod report_pages;
mod reports;
mod security;
mod smtp;
mod wedge;
mod work_orders;
