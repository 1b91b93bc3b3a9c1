//! Transport envelopes.
