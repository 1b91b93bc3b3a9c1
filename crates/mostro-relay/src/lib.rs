//! A small Nostr relay client (NIP-01) with per-relay acknowledgements and reconnection.
