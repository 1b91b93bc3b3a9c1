//! Test support: a regtest Lightning network (btcd + LND) and a local Nostr relay.
