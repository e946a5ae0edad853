//! Integration tests: the real application over HTTP, on SQLite or PostgreSQL.

#[path = "../fixtures/images.rs"]
#[allow(dead_code)]
mod fixtures;

mod accounts;
mod agencies;
mod assignment;
mod authorization;
mod backup;
mod buildings;
mod calendar;
mod claims;
mod claims_pages;
mod claims_rules;
mod claims_support;
mod dashboard;
mod dispatch;
mod helpers;
mod idempotency;
mod instances;
mod lifecycle;
mod lots;
mod mail_in;
mod mail_in_bad;
mod mail_in_channels;
mod mail_in_imap;
mod news;
mod notifications;
mod operations;
mod page_costs;
mod pages;
mod people;
mod personal_data;
mod photos;
mod portfolio;
mod portfolio_search;
mod provider_info;
mod report_loop;
mod report_pages;
mod reports;
mod s3;
mod search;
mod security;
mod smtp;
mod stats;
mod urgent;
mod wedge;
mod work_orders;
mod work_orders_scale;
