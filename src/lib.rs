//! Palier: a self-hostable platform for the common areas of residential buildings.

pub mod app;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod pdf;
pub mod photos;
pub mod storage;
pub mod vocab;
pub mod web;
