//! Chat (PROTOCOL.md §9) round trips: peer chat, dispute chat, disclosure to a
//! solver, synthetic tampering at each §9.3 stage, legacy reading, helpers.

// Test code: failing loudly on broken fixtures is the point.
#![allow(clippy::expect_used)]

mod common_b2;

use std::num::NonZeroUsize;

use common_b2::chat_fixtures::{alice_bob, encrypt_for, named, outer_event, text_note, ts, NOW};
use mostro_protocol::chat::{
    chat_filter, derive_chat_keys, legacy_shared_keys, unwrap_legacy_chat, wrap_chat_message,
    wrap_chat_message_with_tags, ChatDisclosure, ChatError, ChatKeys, SeenIds, SharedSecret,
    CHAT_MAX_CONTENT_BYTES,
};
use nostr::event::{Event, EventBuilder, EventId, FinalizeEvent, Kind, Tag};
use nostr::key::Keys;
use nostr::nips::nip44;

#[test]
fn peer_chat_round_trips_in_both_directions() {
    let (alice, bob, a_side, b_side) = alice_bob();
    let parties = [alice.public_key(), bob.public_key()];

    let to_bob = wrap_chat_message(&alice, &a_side, "fiat sent", ts(NOW)).expect("wrap");
    assert_eq!(to_bob.pubkey, b_side.sign_pubkey());
    assert_eq!(to_bob.tags.len(), 1);
    let got = b_side
        .open(&parties, &to_bob, ts(NOW + 5))
        .expect("bob reads");
    assert_eq!(
        (got.content(), got.sender()),
        ("fiat sent", alice.public_key())
    );

    let to_alice = b_side
        .wrap(&bob, "received, releasing", ts(NOW + 10))
        .expect("wrap");
    let got = a_side
        .open(&parties, &to_alice, ts(NOW + 10))
        .expect("alice reads");
    assert_eq!(got.sender(), bob.public_key());
    assert_eq!(got.content(), "received, releasing");
    assert_eq!(got.created_at(), ts(NOW + 10));
}

#[test]
fn peer_chat_refuses_the_solver_as_inner_signer() {
    let file = common_b2::load("chat.json");
    let solver = named(&file, "solver");
    let (alice, bob, a_side, _) = alice_bob();
    // Even wrapped with the right K_sign, a solver-signed inner event is refused.
    let inner = text_note(&solver, "I am the solver", NOW);
    let forged = outer_event(
        a_side.sign(),
        vec![Tag::public_key(a_side.conv_pubkey())],
        encrypt_for(&a_side, &inner),
        NOW,
    );
    let parties = [alice.public_key(), bob.public_key()];
    let result = a_side.open(&parties, &forged, ts(NOW));
    assert!(
        matches!(result, Err(ChatError::SignerNotAllowed { signer }) if signer == solver.public_key()),
        "{result:?}"
    );
}

#[test]
fn dispute_chat_round_trips_between_party_and_solver() {
    let file = common_b2::load("chat.json");
    let solver = named(&file, "solver");
    let party = named(&file, "trade-1");
    let other_party = named(&file, "trade-2");
    let party_side = derive_chat_keys(party.secret_key(), &solver.public_key()).expect("party");
    let solver_side = derive_chat_keys(solver.secret_key(), &party.public_key()).expect("solver");
    assert_eq!(party_side.sign_pubkey(), solver_side.sign_pubkey());
    let accepted = [party.public_key(), solver.public_key()];

    let question = solver_side
        .wrap(&solver, "please share proof of payment", ts(NOW))
        .expect("wrap");
    let got = party_side
        .open(&accepted, &question, ts(NOW))
        .expect("party reads");
    assert_eq!(got.sender(), solver.public_key());

    let answer = party_side
        .wrap(&party, "attached", ts(NOW + 30))
        .expect("wrap");
    let got = solver_side
        .open(&accepted, &answer, ts(NOW + 30))
        .expect("solver reads");
    assert_eq!(
        (got.content(), got.sender()),
        ("attached", party.public_key())
    );

    // The other party's channel with the solver is independent.
    let other_side =
        derive_chat_keys(other_party.secret_key(), &solver.public_key()).expect("other");
    assert_ne!(other_side.conv_pubkey(), party_side.conv_pubkey());
    let other_accepted = [other_party.public_key(), solver.public_key()];
    let result = other_side.open(&other_accepted, &answer, ts(NOW + 30));
    assert!(
        matches!(result, Err(ChatError::WrongAuthor { .. })),
        "{result:?}"
    );
}

#[test]
fn disclosure_reads_but_cannot_write() {
    let (alice, bob, a_side, b_side) = alice_bob();
    let parties = [alice.public_key(), bob.public_key()];
    let disclosure = a_side.disclose();
    assert_eq!(disclosure.conv_pubkey(), b_side.conv_pubkey());
    assert_eq!(disclosure.sign_pubkey(), b_side.sign_pubkey());
    assert!(!format!("{disclosure:?}").contains(&a_side.conv().secret_key().to_secret_hex()));

    // The solver reads the real transcript from both sides.
    for (sender, side, text) in [(&alice, &a_side, "sent"), (&bob, &b_side, "not received")] {
        let event = side.wrap(sender, text, ts(NOW)).expect("wrap");
        let read = disclosure
            .open(&parties, &event, ts(NOW))
            .expect("solver reads");
        assert_eq!((read.content(), read.sender()), (text, sender.public_key()));
    }

    // With only K_conv, a forger can encrypt and address correctly but can only
    // sign as some key other than K_sign: refused (author must be pub(K_sign)).
    let conv_only = Keys::new(disclosure.conv_secret().clone());
    let inner = text_note(&alice, "release now", NOW);
    for forger in [conv_only, Keys::generate()] {
        let forged = outer_event(
            &forger,
            vec![Tag::public_key(disclosure.conv_pubkey())],
            encrypt_for(&a_side, &inner),
            NOW,
        );
        for result in [
            disclosure.open(&parties, &forged, ts(NOW)),
            b_side.open(&parties, &forged, ts(NOW)),
        ] {
            assert!(
                matches!(result, Err(ChatError::WrongAuthor { .. })),
                "{result:?}"
            );
        }
    }

    // Claiming pub(K_sign) as author without its secret breaks the signature.
    let mut claimed = outer_event(
        &Keys::generate(),
        vec![Tag::public_key(disclosure.conv_pubkey())],
        encrypt_for(&a_side, &inner),
        NOW,
    );
    claimed.pubkey = disclosure.sign_pubkey();
    let result = disclosure.open(&parties, &claimed, ts(NOW));
    assert!(
        matches!(result, Err(ChatError::InvalidOuterSignature(_))),
        "{result:?}"
    );

    // Rebuilt from its parts, the disclosure behaves the same.
    let rebuilt = ChatDisclosure::new(disclosure.conv_secret().clone(), disclosure.sign_pubkey());
    assert_eq!(rebuilt.conv_pubkey(), disclosure.conv_pubkey());
}

#[test]
fn synthetic_tampering_is_refused_at_each_stage() {
    let file = common_b2::load("chat.json");
    let stranger = named(&file, "stranger");
    let (alice, bob, chat, _) = alice_bob();
    let parties = [alice.public_key(), bob.public_key()];
    let good_inner = text_note(&alice, "hello", NOW);
    let good_payload = encrypt_for(&chat, &good_inner);
    let p_conv = || Tag::public_key(chat.conv_pubkey());
    let open = |event: &Event, now: u64| chat.open(&parties, event, ts(now));

    // Wrong outer author.
    let e = outer_event(&stranger, vec![p_conv()], good_payload.clone(), NOW);
    assert!(matches!(open(&e, NOW), Err(ChatError::WrongAuthor { .. })));
    // Wrong p tag, no p tag, duplicated p tag.
    for tags in [
        vec![Tag::public_key(stranger.public_key())],
        vec![],
        vec![p_conv(), p_conv()],
    ] {
        let e = outer_event(chat.sign(), tags, good_payload.clone(), NOW);
        assert!(matches!(
            open(&e, NOW),
            Err(ChatError::WrongRecipient { .. })
        ));
    }
    // Wrong outer kind.
    let e = EventBuilder::new(Kind::from(4u16), good_payload.clone())
        .tag(p_conv())
        .custom_created_at(ts(NOW))
        .finalize(chat.sign())
        .expect("signable");
    assert!(matches!(
        open(&e, NOW),
        Err(ChatError::WrongKind {
            expected: 14,
            found: 4
        })
    ));
    // Future: 60 s ahead is tolerated, 61 s is not.
    let e = outer_event(chat.sign(), vec![p_conv()], good_payload.clone(), NOW);
    assert!(open(&e, NOW - 60).is_ok());
    assert!(matches!(
        open(&e, NOW - 61),
        Err(ChatError::FromTheFuture { .. })
    ));
    // Modified ciphertext (re-signed, so only the MAC catches it).
    let mut bytes = good_payload.clone().into_bytes();
    bytes[40] = if bytes[40] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(bytes).expect("base64 stays ascii");
    let e = outer_event(chat.sign(), vec![p_conv()], flipped, NOW);
    assert!(matches!(open(&e, NOW), Err(ChatError::Decryption(_))));
    // Not an event inside.
    let conv = chat.conv();
    let junk = nip44::encrypt(
        conv.secret_key(),
        &conv.public_key(),
        "hi",
        nip44::Version::V2,
    )
    .expect("encryptable");
    let e = outer_event(chat.sign(), vec![p_conv()], junk, NOW);
    assert!(matches!(open(&e, NOW), Err(ChatError::MalformedInner(_))));
    // Inner/outer skew: 60 s tolerated, 61 s not (either direction).
    for (inner_at, ok) in [
        (NOW - 60, true),
        (NOW + 60, true),
        (NOW - 61, false),
        (NOW + 61, false),
    ] {
        let inner = text_note(&alice, "skewed", inner_at);
        let e = outer_event(chat.sign(), vec![p_conv()], encrypt_for(&chat, &inner), NOW);
        let result = open(&e, NOW + 120);
        if ok {
            assert!(result.is_ok(), "{inner_at}: {result:?}");
        } else {
            assert!(
                matches!(result, Err(ChatError::TimestampSkew { .. })),
                "{inner_at}"
            );
        }
    }
    // Oversized payload is refused before any crypto.
    let big = "A".repeat(CHAT_MAX_CONTENT_BYTES + 1);
    let e = outer_event(chat.sign(), vec![p_conv()], big, NOW);
    assert!(matches!(open(&e, NOW), Err(ChatError::TooLarge { .. })));
}

#[test]
fn wrapper_keeps_the_single_p_tag_and_bounds_size() {
    let (alice, bob, chat, _) = alice_bob();
    let parties = [alice.public_key(), bob.public_key()];
    let expiration = Tag::expiration(ts(NOW + 86_400));
    let event =
        wrap_chat_message_with_tags(&alice, &chat, "with extra tag", vec![expiration], ts(NOW))
            .expect("wrap");
    assert_eq!(event.tags.len(), 2);
    assert_eq!(event.tags.expiration(), Some(ts(NOW + 86_400)));
    assert!(chat.open(&parties, &event, ts(NOW)).is_ok());

    let extra_p = vec![Tag::public_key(bob.public_key())];
    let result = wrap_chat_message_with_tags(&alice, &chat, "x", extra_p, ts(NOW));
    assert!(matches!(result, Err(ChatError::ExtraPTag)), "{result:?}");

    let huge = "x".repeat(CHAT_MAX_CONTENT_BYTES);
    let result = wrap_chat_message(&alice, &chat, &huge, ts(NOW));
    assert!(
        matches!(result, Err(ChatError::TooLarge { .. })),
        "{result:?}"
    );
}

#[test]
fn legacy_reader_checks_the_inner_signer() {
    let file = common_b2::load("chat.json");
    let stranger = named(&file, "stranger");
    let (alice, bob, _, _) = alice_bob();
    let shared = legacy_shared_keys(alice.secret_key(), &bob.public_key()).expect("legacy key");
    // Anyone can encrypt to the public shared key; only the inner signature
    // tells who wrote it.
    let wrap = |inner: &Event| {
        let ephemeral = Keys::generate();
        let content = nip44::encrypt(
            ephemeral.secret_key(),
            &shared.public_key(),
            inner.as_json(),
            nip44::Version::V2,
        )
        .expect("encryptable");
        EventBuilder::new(Kind::from(1059u16), content)
            .tag(Tag::public_key(shared.public_key()))
            .custom_created_at(ts(NOW - 3_600))
            .finalize(&ephemeral)
            .expect("signable")
    };
    let parties = [alice.public_key(), bob.public_key()];
    let ok =
        unwrap_legacy_chat(&shared, &parties, &wrap(&text_note(&bob, "hi", NOW))).expect("read");
    assert_eq!((ok.content(), ok.sender()), ("hi", bob.public_key()));
    let result = unwrap_legacy_chat(&shared, &parties, &wrap(&text_note(&stranger, "hi", NOW)));
    assert!(
        matches!(result, Err(ChatError::SignerNotAllowed { .. })),
        "{result:?}"
    );
    // A kind-14 event is not a legacy wrap.
    let (_, _, chat, _) = alice_bob();
    let modern = wrap_chat_message(&alice, &chat, "hi", ts(NOW)).expect("wrap");
    let result = unwrap_legacy_chat(&shared, &parties, &modern);
    assert!(
        matches!(result, Err(ChatError::WrongKind { .. })),
        "{result:?}"
    );
}

#[test]
fn shared_secret_is_symmetric_and_redacted() {
    let (alice, bob, a_side, _) = alice_bob();
    let ab = SharedSecret::ecdh(alice.secret_key(), &bob.public_key()).expect("ecdh");
    let ba = SharedSecret::ecdh(bob.secret_key(), &alice.public_key()).expect("ecdh");
    assert_eq!(ab, ba);
    assert_eq!(&ab, a_side.shared());
    let rebuilt = ChatKeys::from_shared(SharedSecret::from_bytes(*ab.as_bytes())).expect("keys");
    assert_eq!(rebuilt.conv_pubkey(), a_side.conv_pubkey());
    let debug = format!("{a_side:?} {ab:?}");
    assert!(!debug.contains(&hex::encode(ab.as_bytes())), "{debug}");
    assert!(
        !debug.contains(&a_side.sign().secret_key().to_secret_hex()),
        "{debug}"
    );
    assert!(debug.contains(&a_side.sign_pubkey().to_hex()), "{debug}");
}

#[test]
fn chat_filter_clamps_since_to_now() {
    let (_, _, chat, _) = alice_bob();
    let future = chat_filter(chat.sign_pubkey(), ts(NOW + 500), ts(NOW), 100);
    assert_eq!(future.since, Some(ts(NOW)));
    let past = chat_filter(chat.sign_pubkey(), ts(NOW - 500), ts(NOW), 100);
    assert_eq!(past.since, Some(ts(NOW - 500)));
    assert_eq!(past.limit, Some(100));
    assert!(past
        .authors
        .as_ref()
        .is_some_and(|a| a.contains(&chat.sign_pubkey())));
}

#[test]
fn seen_ids_is_a_bounded_lru() {
    let id = |n: u8| EventId::from_byte_array([n; 32]);
    let mut seen = SeenIds::new(NonZeroUsize::new(2).expect("non-zero"));
    assert!(seen.is_empty());
    assert!(seen.insert(id(1)));
    assert!(!seen.insert(id(1)), "a repeat is reported");
    assert!(seen.insert(id(2)));
    assert!(!seen.insert(id(1)), "refreshes 1, so 2 is now the oldest");
    assert!(seen.insert(id(3)));
    assert_eq!(seen.len(), 2);
    assert!(seen.contains(&id(1)) && seen.contains(&id(3)));
    assert!(!seen.contains(&id(2)), "least recently seen was evicted");
    assert!(seen.insert(id(2)), "forgotten ids count as new");
}
