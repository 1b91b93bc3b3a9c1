//! Lightning port and the LND implementation.
