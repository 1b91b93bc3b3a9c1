//! Key store, trade index and transport choice (no network).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;

use mostro_client::keystore::{self, MnemonicSource, MNEMONIC_FILE};
use mostro_client::store::{Store, DB_FILE};
use mostro_client::{choose_transport, pow_for, ClientError, ErrorKind, Transport};
use mostro_protocol::events::InfoEvent;
use nostr::prelude::*;

const ABANDON: &str =
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn mnemonic_is_created_once_private_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (first, source) = keystore::load_or_create(&data).unwrap();
    assert_eq!(source, MnemonicSource::Created);
    assert_eq!(mode(&data.join(MNEMONIC_FILE)), 0o600);
    assert_eq!(mode(&data), 0o700);
    let (again, source) = keystore::load_or_create(&data).unwrap();
    assert_eq!(source, MnemonicSource::Loaded);
    assert_eq!(first.phrase(), again.phrase());
    // Importing a different phrase over it is refused.
    assert!(matches!(
        keystore::import(&data, ABANDON),
        Err(ClientError::InvalidInput(_))
    ));
    Store::open(&data).unwrap();
    assert_eq!(mode(&data.join(DB_FILE)), 0o600);
}

#[test]
fn imported_mnemonic_derives_the_spec_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mnemonic = keystore::import(dir.path(), ABANDON).unwrap();
    // Same phrase again is accepted.
    keystore::import(dir.path(), ABANDON).unwrap();
    let keys = keystore::derive(&mnemonic, "").unwrap();
    assert_eq!(
        keys.identity().public_key().to_hex(),
        "faa27ea81c85e00798598b46d1f36c1700221a1242b563861fa536dc2314f1df"
    );
    assert_eq!(
        keys.trade_key(1).unwrap().public_key().to_hex(),
        "f5afa0b09d50fc78d3b3836122b43105a018a30e5ab3eccb36480a525271f3f1"
    );
}

#[test]
fn bad_mnemonic_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let err = keystore::import(dir.path(), "abandon abandon zebra").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(!dir.path().join(MNEMONIC_FILE).exists());
}

#[test]
fn store_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let conn = rusqlite_free_bump(dir.path());
    assert!(conn);
    assert!(matches!(
        Store::open(dir.path()),
        Err(mostro_client::store::StoreError::NewerVersion { .. })
    ));
}

/// Bumps `user_version` of the client database past what the library knows.
fn rusqlite_free_bump(dir: &std::path::Path) -> bool {
    // Use the sqlite file format directly: user_version lives at byte offset 60.
    let path = dir.join(DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let version = u32::from_be_bytes(bytes[60..64].try_into().unwrap());
    bytes[60..64].copy_from_slice(&(version + 1).to_be_bytes());
    std::fs::write(&path, bytes).unwrap();
    true
}

fn info(version: Option<&str>, pow: Option<&str>, first: Option<&str>) -> InfoEvent {
    let keys = Keys::generate();
    let mut tags = vec![
        Tag::parse(["d".to_string(), keys.public_key().to_hex()]).unwrap(),
        Tag::parse(["max_order_amount", "1000000"]).unwrap(),
        Tag::parse(["min_order_amount", "100"]).unwrap(),
        Tag::parse(["fee", "0"]).unwrap(),
    ];
    for (name, value) in [
        ("protocol_version", version),
        ("pow", pow),
        ("pow_first_contact", first),
    ] {
        if let Some(v) = value {
            tags.push(Tag::parse([name, v]).unwrap());
        }
    }
    let event = EventBuilder::new(Kind::Custom(38385), "")
        .tags(tags)
        .finalize(&keys)
        .unwrap();
    InfoEvent::parse(&event).unwrap()
}

#[test]
fn transport_follows_protocol_version_and_override_wins() {
    let v1 = info(Some("1"), None, None);
    let v2 = info(Some("2"), None, None);
    let absent = info(None, None, None);
    assert_eq!(choose_transport(Some(&v1), None), Transport::V1);
    assert_eq!(choose_transport(Some(&v2), None), Transport::V2);
    assert_eq!(choose_transport(Some(&absent), None), Transport::V1);
    assert_eq!(choose_transport(None, None), Transport::V1);
    assert_eq!(
        choose_transport(Some(&v2), Some(Transport::V1)),
        Transport::V1
    );
    assert_eq!(
        choose_transport(Some(&v1), Some(Transport::V2)),
        Transport::V2
    );
}

#[test]
fn first_contact_pow_is_at_least_pow() {
    let advertised = info(Some("2"), Some("4"), Some("12"));
    assert_eq!(pow_for(Some(&advertised), false), 4);
    assert_eq!(pow_for(Some(&advertised), true), 12);
    let unknown = info(Some("2"), Some("6"), None);
    assert_eq!(pow_for(Some(&unknown), true), 6);
    let lower = info(Some("2"), Some("8"), Some("3"));
    assert_eq!(pow_for(Some(&lower), true), 8);
    assert_eq!(pow_for(None, true), 0);
}
