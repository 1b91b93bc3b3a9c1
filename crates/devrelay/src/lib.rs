//! A local Nostr relay for tests and the sandbox.
