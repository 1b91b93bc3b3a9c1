//! Chat (PROTOCOL.md §9) against `vectors/chat.json` and the §9.1 book vector.

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b2;

use common_b2::chat_fixtures::{allowed, category, event, keys, named, pk, ts};
use mostro_protocol::chat::{
    derive_chat_keys, legacy_shared_keys, unwrap_chat_message, unwrap_legacy_chat, ChatDisclosure,
    ChatError, CHAT_MAX_CONTENT_BYTES,
};
use nostr::event::Event;

#[test]
fn constants_match_the_reference() {
    let file = common_b2::load("chat.json");
    let c = &file["constants"];
    assert_eq!(c["CHAT_CONV_INFO"], mostro_protocol::chat::CHAT_CONV_INFO);
    assert_eq!(c["CHAT_SIGN_INFO"], mostro_protocol::chat::CHAT_SIGN_INFO);
    assert_eq!(
        c["CHAT_MAX_CLOCK_SKEW_SECS"],
        mostro_protocol::chat::CHAT_MAX_CLOCK_SKEW_SECS
    );
    assert_eq!(c["CHAT_MAX_CONTENT_BYTES"], CHAT_MAX_CONTENT_BYTES);
    assert_eq!(
        c["CHAT_DEFAULT_LOOKBACK_SECS"],
        mostro_protocol::chat::CHAT_DEFAULT_LOOKBACK_SECS
    );
}

#[test]
fn every_derivation_vector_matches_from_both_sides() {
    let file = common_b2::load("chat.json");
    for case in category(&file, "derivation") {
        let name = common_b2::text(case, "name");
        let a = keys(common_b2::text(case, "party_a_secret_hex"));
        let b = keys(common_b2::text(case, "party_b_secret_hex"));
        assert_eq!(
            a.public_key().to_hex(),
            common_b2::text(case, "party_a_pubkey_hex")
        );
        assert_eq!(
            b.public_key().to_hex(),
            common_b2::text(case, "party_b_pubkey_hex")
        );

        let from_a = derive_chat_keys(a.secret_key(), &b.public_key()).expect(name);
        let from_b = derive_chat_keys(b.secret_key(), &a.public_key()).expect(name);
        for chat in [&from_a, &from_b] {
            let shared = hex::encode(chat.shared().as_bytes());
            assert_eq!(shared, common_b2::text(case, "ecdh_shared_x_hex"), "{name}");
            let conv = chat.conv();
            assert_eq!(
                conv.secret_key().to_secret_hex(),
                common_b2::text(case, "k_conv_secret_hex")
            );
            assert_eq!(
                conv.public_key().to_hex(),
                common_b2::text(case, "k_conv_pubkey_hex")
            );
            let sign = chat.sign();
            assert_eq!(
                sign.secret_key().to_secret_hex(),
                common_b2::text(case, "k_sign_secret_hex")
            );
            assert_eq!(
                chat.sign_pubkey().to_hex(),
                common_b2::text(case, "k_sign_pubkey_hex")
            );
        }
        for (own, peer) in [(&a, &b), (&b, &a)] {
            let legacy = legacy_shared_keys(own.secret_key(), &peer.public_key()).expect(name);
            assert_eq!(
                legacy.public_key().to_hex(),
                common_b2::text(case, "legacy_shared_pubkey_hex"),
                "{name}"
            );
        }
    }
}

/// The §9.1 block of PROTOCOL.md, read from the document itself.
#[test]
fn book_vector_in_protocol_md_matches() {
    let path = common_b2::vectors_dir().join("../PROTOCOL.md");
    let text = std::fs::read_to_string(path).expect("PROTOCOL.md");
    let value = |label: &str| -> String {
        text.lines()
            .find_map(|line| line.strip_prefix(label))
            .map(|rest| rest.trim().to_owned())
            .unwrap_or_else(|| panic!("`{label}` not in §9.1"))
    };
    let alice = keys(&value("Alice trade sk"));
    let bob = keys(&value("Bob trade sk"));
    let chat = derive_chat_keys(alice.secret_key(), &bob.public_key()).expect("derivable");
    assert_eq!(hex::encode(chat.shared().as_bytes()), value("ECDH shared"));
    assert_eq!(chat.conv_pubkey().to_hex(), value("pub(K_conv)"));
    assert_eq!(chat.sign_pubkey().to_hex(), value("pub(K_sign)"));
}

#[test]
fn every_message_vector_opens_with_its_recorded_now() {
    let file = common_b2::load("chat.json");
    for case in category(&file, "message") {
        let name = common_b2::text(case, "name");
        let conv = keys(common_b2::text(case, "k_conv_secret_hex"));
        let sign_pubkey = pk(common_b2::text(case, "k_sign_pubkey_hex"));
        let now = ts(common_b2::number(case, "now"));
        let outer = event(case);
        let expected = &case["expected"];
        assert_eq!(expected["result"], "ok", "{name}");

        let msg = unwrap_chat_message(&conv, &sign_pubkey, &allowed(case), &outer, now)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(
            msg.content(),
            common_b2::text(expected, "content"),
            "{name}"
        );
        assert_eq!(
            msg.sender().to_hex(),
            common_b2::text(expected, "sender_pubkey_hex")
        );
        assert_eq!(
            msg.created_at().as_secs(),
            common_b2::number(expected, "created_at")
        );
        assert_eq!(
            msg.inner_id().to_hex(),
            common_b2::text(expected, "inner_event_id")
        );
        assert_eq!(
            msg.outer_id.to_hex(),
            common_b2::text(expected, "outer_event_id")
        );
        let inner = Event::from_json(common_b2::text(case, "decrypted_inner_event_json"))
            .expect("inner json");
        assert_eq!(msg.inner, inner, "{name}");

        // A disclosure holder reads the same message.
        let disclosure = ChatDisclosure::new(conv.secret_key().clone(), sign_pubkey);
        let read = disclosure.open(&allowed(case), &outer, now).expect(name);
        assert_eq!(read, msg, "{name}");
    }
}

#[test]
fn legacy_vectors_open_read_only() {
    let file = common_b2::load("chat.json");
    let alice = named(&file, "alice");
    let bob = named(&file, "bob");
    let parties = [alice.public_key(), bob.public_key()];
    for case in category(&file, "legacy") {
        let name = common_b2::text(case, "name");
        let shared = keys(common_b2::text(case, "shared_secret_hex"));
        assert_eq!(
            shared.public_key().to_hex(),
            common_b2::text(case, "shared_pubkey_hex")
        );
        let outer = event(case);
        let result = unwrap_legacy_chat(&shared, &parties, &outer);
        match common_b2::text(case, "kind") {
            "valid_legacy" => {
                let msg = result.unwrap_or_else(|e| panic!("{name}: {e:?}"));
                let expected = &case["expected"];
                assert_eq!(msg.content(), common_b2::text(expected, "content"));
                assert_eq!(
                    msg.sender().to_hex(),
                    common_b2::text(expected, "sender_pubkey_hex")
                );
                assert_eq!(
                    msg.created_at().as_secs(),
                    common_b2::number(expected, "created_at")
                );
                assert_eq!(
                    msg.inner_id().to_hex(),
                    common_b2::text(expected, "inner_event_id")
                );
                assert_eq!(
                    msg.outer_id.to_hex(),
                    common_b2::text(expected, "outer_event_id")
                );
                let derived =
                    legacy_shared_keys(alice.secret_key(), &bob.public_key()).expect(name);
                assert_eq!(
                    derived, shared,
                    "{name}: the key is the raw ECDH x-coordinate"
                );
            }
            "tampered_legacy" => {
                assert!(
                    matches!(result, Err(ChatError::Decryption(_))),
                    "{name}: {result:?}"
                );
            }
            other => panic!("{name}: unknown kind {other}"),
        }
    }
}

/// The §9.3 stage a reference error text points at, when recognisable.
fn stage_matches(core_error: &str, err: &ChatError) -> Option<bool> {
    let stage = [
        (
            "exactly one p tag",
            matches!(err, ChatError::WrongRecipient { .. }),
        ),
        (
            "not a party",
            matches!(err, ChatError::SignerNotAllowed { .. }),
        ),
        (
            "timestamps disagree",
            matches!(err, ChatError::TimestampSkew { .. }),
        ),
        (
            "not a TextNote",
            matches!(err, ChatError::InnerNotTextNote { .. }),
        ),
        (
            "inner chat signature",
            matches!(err, ChatError::InvalidInnerSignature(_)),
        ),
        (
            "outer chat signature",
            matches!(err, ChatError::InvalidOuterSignature(_)),
        ),
        (
            "exceeds the accepted size",
            matches!(err, ChatError::TooLarge { .. }),
        ),
        ("decrypt failed", matches!(err, ChatError::Decryption(_))),
        ("future", matches!(err, ChatError::FromTheFuture { .. })),
        ("author", matches!(err, ChatError::WrongAuthor { .. })),
    ];
    stage
        .iter()
        .find(|(needle, _)| core_error.contains(needle))
        .map(|(_, ok)| *ok)
}

#[test]
fn every_tampered_vector_is_refused_at_the_right_stage() {
    let file = common_b2::load("chat.json");
    let mut recognised = 0;
    for case in category(&file, "tampered") {
        let name = common_b2::text(case, "name");
        let conv = keys(common_b2::text(case, "k_conv_secret_hex"));
        let sign_pubkey = pk(common_b2::text(case, "k_sign_pubkey_hex"));
        let now = ts(common_b2::number(case, "now"));
        let result = unwrap_chat_message(&conv, &sign_pubkey, &allowed(case), &event(case), now);
        let err = match result {
            Err(err) => err,
            Ok(msg) => panic!("{name}: accepted {msg:?}"),
        };
        let core_error = common_b2::text(&case["expected"], "core_error");
        if let Some(ok) = stage_matches(core_error, &err) {
            assert!(
                ok,
                "{name}: refused as {err:?}, reference said {core_error}"
            );
            recognised += 1;
        }
    }
    assert!(
        recognised >= 8,
        "only {recognised} tampered cases had a known stage"
    );
}
