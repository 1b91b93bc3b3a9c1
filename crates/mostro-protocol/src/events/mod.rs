//! Public events.
