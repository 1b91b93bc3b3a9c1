//! mostrod: the Mostro peer-to-peer exchange daemon.

pub mod lightning;
