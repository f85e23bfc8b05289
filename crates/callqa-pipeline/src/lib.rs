//! Pipeline runner (work in progress).
pub mod inputs;
