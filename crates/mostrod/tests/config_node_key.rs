//! The node key: generated once with mode 0600, reused, and refused when others may
//! read it; `nostr.nsec_privkey` takes precedence.

// Test helpers outside #[test] functions may unwrap too.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use mostrod::config::{ConfigError, Settings, KEY_FILE};
use nostr::key::Keys;

fn settings(data_dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: data_dir.to_path_buf(),
        ..Settings::default()
    }
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn key_is_generated_once_private_and_reused() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("nested").join("data");
    let s = settings(&data_dir);
    let first = s.node_keys().unwrap();
    let path = data_dir.join(KEY_FILE);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&data_dir), 0o700);
    let second = s.node_keys().unwrap();
    assert_eq!(first.public_key(), second.public_key());
}

#[test]
fn key_file_readable_by_others_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let s = settings(root.path());
    s.node_keys().unwrap();
    let path = root.path().join(KEY_FILE);
    for bad in [0o640, 0o604, 0o660] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(bad)).unwrap();
        match s.node_keys() {
            Err(ConfigError::KeyFilePermissions { mode, path: p }) => {
                assert_eq!(mode, bad);
                assert_eq!(p, path);
            }
            other => panic!("mode {bad:o}: expected refusal, got {other:?}"),
        }
    }
}

#[test]
fn garbage_key_file_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join(KEY_FILE);
    std::fs::write(&path, "not a key\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(matches!(
        settings(root.path()).node_keys(),
        Err(ConfigError::KeyFileInvalid { .. })
    ));
}

#[test]
fn configured_secret_wins_and_writes_no_file() {
    let root = tempfile::tempdir().unwrap();
    let keys = Keys::generate();
    for encoded in [
        keys.secret_key().to_secret_hex(),
        nostr::nips::nip19::ToBech32::to_bech32(keys.secret_key()).unwrap(),
    ] {
        let mut s = settings(root.path());
        s.nostr.nsec_privkey = Some(encoded);
        assert_eq!(s.node_keys().unwrap().public_key(), keys.public_key());
    }
    assert!(!root.path().join(KEY_FILE).exists());
}
