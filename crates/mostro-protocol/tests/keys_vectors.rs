//! Key derivation (PROTOCOL.md §8.1) against `vectors/keys.json`, the §8.1
//! table, and nostr's own NIP-06 implementation.

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b2;

use mostro_protocol::keys::{
    derivation_path, KeyError, Mnemonic, Seed, TradeKeys, MAX_KEY_INDEX, SEED_LEN,
};
use nostr::key::Keys;
use nostr::nips::nip06::FromMnemonic;
use nostr::nips::nip19::ToBech32;
use proptest::prelude::*;

const ABANDON: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon \
                       abandon abandon about";

fn trade_keys(phrase: &str, passphrase: &str) -> TradeKeys {
    let mnemonic = Mnemonic::parse(phrase).expect("valid mnemonic");
    TradeKeys::from_mnemonic(&mnemonic, passphrase).expect("derivable")
}

#[test]
fn every_keys_vector_matches() {
    let file = common_b2::load("keys.json");
    let cases = common_b2::cases(&file);
    for case in cases {
        let name = common_b2::text(case, "name");
        let mnemonic = Mnemonic::parse(common_b2::text(case, "mnemonic")).expect(name);
        let passphrase = common_b2::text(case, "passphrase");
        let index = u32::try_from(common_b2::number(case, "index")).expect(name);

        let seed = mnemonic.to_seed(passphrase);
        assert_eq!(
            seed.to_hex().as_str(),
            common_b2::text(case, "seed_hex"),
            "{name}"
        );
        assert_eq!(
            derivation_path(index),
            common_b2::text(case, "path"),
            "{name}"
        );

        let all = TradeKeys::from_seed(&seed).expect(name);
        let keys = match common_b2::text(case, "role") {
            "identity" => {
                assert_eq!(index, 0, "{name}");
                all.identity().clone()
            }
            "trade" => all.trade_key(index).expect(name),
            other => panic!("{name}: unknown role {other}"),
        };
        assert_eq!(keys, all.key_at(index).expect(name), "{name}");
        assert_eq!(
            keys.secret_key().to_secret_hex(),
            common_b2::text(case, "secret_hex"),
            "{name}"
        );
        assert_eq!(
            keys.public_key().to_hex(),
            common_b2::text(case, "pubkey_hex"),
            "{name}"
        );
        assert_eq!(
            keys.public_key().to_bech32().expect("npub"),
            common_b2::text(case, "npub"),
            "{name}"
        );
    }
}

/// Rows of the §8.1 table in PROTOCOL.md: (index, secret hex, public hex).
fn protocol_table() -> Vec<(u32, String, String)> {
    let path = common_b2::vectors_dir().join("../PROTOCOL.md");
    let text = std::fs::read_to_string(&path).expect("PROTOCOL.md");
    let prefix = "| `m/44'/1237'/38383'/0/";
    text.lines()
        .filter(|line| line.starts_with(prefix))
        .map(|line| {
            let cells: Vec<&str> = line
                .split('|')
                .map(|cell| cell.trim().trim_matches('`'))
                .filter(|cell| !cell.is_empty())
                .collect();
            assert_eq!(cells.len(), 3, "table row {line}");
            let index = cells[0]
                .rsplit('/')
                .next()
                .expect("index")
                .parse()
                .expect("index");
            (index, cells[1].to_owned(), cells[2].to_owned())
        })
        .collect()
}

#[test]
fn protocol_section_8_1_table_matches() {
    let rows = protocol_table();
    assert_eq!(rows.len(), 3, "the §8.1 table has three rows");
    let all = trade_keys(ABANDON, "");
    for (index, secret_hex, public_hex) in rows {
        let keys = all.key_at(index).expect("derivable");
        assert_eq!(
            keys.secret_key().to_secret_hex(),
            secret_hex,
            "index {index}"
        );
        assert_eq!(keys.public_key().to_hex(), public_hex, "index {index}");
    }
}

#[test]
fn index_zero_is_never_a_trade_key() {
    let all = trade_keys(ABANDON, "");
    assert!(matches!(
        all.trade_key(0),
        Err(KeyError::IdentityIndexAsTradeKey)
    ));
    assert_eq!(&all.key_at(0).expect("identity"), all.identity());
    assert_ne!(&all.trade_key(1).expect("trade key"), all.identity());
}

#[test]
fn hardened_range_indexes_are_refused() {
    let all = trade_keys(ABANDON, "");
    assert!(all.trade_key(MAX_KEY_INDEX).is_ok());
    for index in [MAX_KEY_INDEX + 1, u32::MAX] {
        assert!(matches!(
            all.trade_key(index),
            Err(KeyError::IndexOutOfRange(i)) if i == index
        ));
    }
}

#[test]
fn invalid_mnemonics_are_refused() {
    let bad_checksum = ABANDON.replace("about", "abandon");
    let unknown_word = ABANDON.replace("about", "bitcoinz");
    let eleven_words = ABANDON.rsplit_once(' ').expect("words").0.to_owned();
    for phrase in [
        bad_checksum.as_str(),
        unknown_word.as_str(),
        eleven_words.as_str(),
        "",
    ] {
        assert!(
            matches!(Mnemonic::parse(phrase), Err(KeyError::InvalidMnemonic(_))),
            "{phrase:?} must be refused"
        );
    }
}

#[test]
fn parsing_tolerates_case_and_whitespace() {
    let messy = format!("  {}\n", ABANDON.to_uppercase().replace(' ', "   "));
    let parsed: Mnemonic = messy.parse().expect("tolerated");
    assert_eq!(
        parsed.phrase().as_str(),
        ABANDON.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    assert_eq!(parsed, Mnemonic::parse(ABANDON).expect("valid"));
}

#[test]
fn passphrase_changes_every_key() {
    let plain = trade_keys(ABANDON, "");
    let protected = trade_keys(ABANDON, "TREZOR");
    assert_ne!(plain.identity(), protected.identity());
    assert_ne!(
        plain.trade_key(1).expect("key"),
        protected.trade_key(1).expect("key")
    );
    // Same inputs, same keys.
    assert_eq!(
        protected.identity(),
        trade_keys(ABANDON, "TREZOR").identity()
    );
}

#[test]
fn generated_mnemonics_have_twelve_words_and_round_trip() {
    let first = Mnemonic::generate().expect("os rng");
    let second = Mnemonic::generate().expect("os rng");
    assert_eq!(first.word_count(), 12);
    assert_ne!(first, second, "two fresh mnemonics must differ");
    let reparsed = Mnemonic::parse(&first.phrase()).expect("own phrase parses");
    assert_eq!(reparsed, first);
}

#[test]
fn entropy_maps_to_the_bip39_phrase() {
    let zero = Mnemonic::from_entropy(&[0u8; 16]).expect("16 bytes");
    assert_eq!(
        zero.phrase().as_str(),
        ABANDON.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    assert_eq!(
        Mnemonic::from_entropy(&[0u8; 32])
            .expect("32 bytes")
            .word_count(),
        24
    );
    assert!(matches!(
        Mnemonic::from_entropy(&[0u8; 15]),
        Err(KeyError::InvalidEntropy(_))
    ));
}

#[test]
fn seed_bytes_round_trip() {
    let seed = Mnemonic::parse(ABANDON).expect("valid").to_seed("");
    let copy = Seed::from_bytes(*seed.as_bytes());
    assert_eq!(copy, seed);
    assert_eq!(seed.as_bytes().len(), SEED_LEN);
    assert_eq!(
        TradeKeys::from_seed(&copy).expect("derivable").identity(),
        TradeKeys::from_seed(&seed).expect("derivable").identity()
    );
}

#[test]
fn debug_output_hides_secrets() {
    let mnemonic = Mnemonic::parse(ABANDON).expect("valid");
    let seed = mnemonic.to_seed("");
    let all = TradeKeys::from_seed(&seed).expect("derivable");
    let identity_secret = all.identity().secret_key().to_secret_hex();
    for text in [
        format!("{mnemonic:?}"),
        format!("{seed:?}"),
        format!("{all:?}"),
    ] {
        assert!(!text.contains("abandon"), "{text}");
        assert!(!text.contains(&seed.to_hex()[..16]), "{text}");
        assert!(!text.contains(&identity_secret), "{text}");
    }
    assert!(format!("{all:?}").contains(&all.identity().public_key().to_hex()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Our BIP-32 walk gives the same keys as nostr's NIP-06 call
    /// (`from_mnemonic_advanced(m, p, Some(38383), Some(0), Some(N))`), which is
    /// what the reference client uses.
    #[test]
    fn matches_nostr_nip06(
        entropy in proptest::collection::vec(any::<u8>(), 16..=16),
        passphrase in "[a-zA-Z0-9 ]{0,12}",
        index in 0u32..=MAX_KEY_INDEX,
    ) {
        let mnemonic = Mnemonic::from_entropy(&entropy).expect("16 bytes");
        let ours = TradeKeys::from_mnemonic(&mnemonic, &passphrase)
            .expect("derivable")
            .key_at(index)
            .expect("in range");
        let phrase = mnemonic.phrase();
        let theirs = Keys::from_mnemonic_advanced(
            phrase.as_str(),
            Some(passphrase.as_str()),
            Some(38383),
            Some(0),
            Some(index),
        )
        .expect("nostr derivation");
        prop_assert_eq!(ours.secret_key().to_secret_hex(), theirs.secret_key().to_secret_hex());
    }
}
