//! `roadmap`: a static site generator for Japanese local governments' DX project roadmaps.
//!
//! The pipeline, one module per stage: [`config`] → [`content`] (with [`vocabulary`]) → [`model`] and
//! [`indexes`] → [`render`] → [`write`]; [`pipeline`] runs them in order. Domain types that every stage
//! uses: [`fiscal_year`], [`money`], and [`diagnostics`] for problems told to editors.

pub mod changes;
pub mod check_report;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod editions;
pub mod fiscal_year;
pub mod indexes;
pub mod local_government_code;
pub(crate) mod markdown;
pub mod memory;
pub mod model;
pub mod money;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site_root;
pub mod terminal;
pub(crate) mod toml_errors;
pub mod vocabulary;
pub(crate) mod write;
