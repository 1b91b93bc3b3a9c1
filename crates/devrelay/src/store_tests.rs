use nostr::prelude::*;

use super::*;

fn event(keys: &Keys, kind: u16, created_at: u64, tags: Vec<Tag>) -> Event {
    EventBuilder::new(Kind::from(kind), format!("at {created_at}"))
        .tags(tags)
        .custom_created_at(Timestamp::from_secs(created_at))
        .finalize(keys)
        .unwrap()
}

fn all(store: &EventStore) -> Vec<Event> {
    store.query(&Filter::new(), Timestamp::from_secs(1_000))
}

#[test]
fn regular_events_are_stored_once() {
    let store = EventStore::in_memory();
    let keys = Keys::generate();
    let e = event(&keys, 14, 100, vec![]);
    assert_eq!(
        store.insert(e.clone(), Timestamp::from_secs(100)).unwrap(),
        SaveOutcome::Stored
    );
    assert_eq!(
        store.insert(e, Timestamp::from_secs(100)).unwrap(),
        SaveOutcome::Duplicate
    );
    assert_eq!(store.len(), 1);
}

#[test]
fn addressable_keeps_newest_per_d_tag() {
    let store = EventStore::in_memory();
    let keys = Keys::generate();
    let now = Timestamp::from_secs(500);
    let old_a = event(&keys, 38383, 100, vec![Tag::identifier("a")]);
    let new_a = event(&keys, 38383, 200, vec![Tag::identifier("a")]);
    let b = event(&keys, 38383, 150, vec![Tag::identifier("b")]);
    assert_eq!(
        store.insert(new_a.clone(), now).unwrap(),
        SaveOutcome::Stored
    );
    assert_eq!(store.insert(old_a, now).unwrap(), SaveOutcome::Superseded);
    assert_eq!(store.insert(b.clone(), now).unwrap(), SaveOutcome::Stored);
    let ids: Vec<EventId> = all(&store).iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![new_a.id, b.id]);
}

#[test]
fn newer_replaceable_replaces_older() {
    let store = EventStore::in_memory();
    let keys = Keys::generate();
    let now = Timestamp::from_secs(500);
    let first = event(&keys, 10002, 100, vec![]);
    let second = event(&keys, 10002, 101, vec![]);
    store.insert(first, now).unwrap();
    assert_eq!(
        store.insert(second.clone(), now).unwrap(),
        SaveOutcome::Stored
    );
    assert_eq!(all(&store), vec![second]);
}

#[test]
fn same_second_tie_keeps_lowest_id() {
    let store = EventStore::in_memory();
    let keys = Keys::generate();
    let now = Timestamp::from_secs(500);
    let x = event(
        &keys,
        38385,
        100,
        vec![Tag::identifier("info"), Tag::hashtag("x")],
    );
    let y = event(
        &keys,
        38385,
        100,
        vec![Tag::identifier("info"), Tag::hashtag("y")],
    );
    let (low, high) = if x.id < y.id { (x, y) } else { (y, x) };
    store.insert(high.clone(), now).unwrap();
    assert_eq!(store.insert(low.clone(), now).unwrap(), SaveOutcome::Stored);
    assert_eq!(store.insert(high, now).unwrap(), SaveOutcome::Superseded);
    assert_eq!(all(&store), vec![low]);
}

#[test]
fn expired_events_are_rejected_and_not_served() {
    let store = EventStore::in_memory();
    let keys = Keys::generate();
    let expiring = event(
        &keys,
        14,
        100,
        vec![Tag::expiration(Timestamp::from_secs(300))],
    );
    assert_eq!(
        store
            .insert(expiring.clone(), Timestamp::from_secs(301))
            .unwrap(),
        SaveOutcome::Expired
    );
    assert_eq!(
        store.insert(expiring, Timestamp::from_secs(200)).unwrap(),
        SaveOutcome::Stored
    );
    assert_eq!(
        store.query(&Filter::new(), Timestamp::from_secs(250)).len(),
        1
    );
    assert!(store
        .query(&Filter::new(), Timestamp::from_secs(301))
        .is_empty());
}

#[test]
fn query_is_newest_first_and_honours_limit() {
    let store = EventStore::in_memory();
    let keys = Keys::generate();
    for t in [100, 300, 200] {
        store
            .insert(event(&keys, 14, t, vec![]), Timestamp::from_secs(t))
            .unwrap();
    }
    let got = store.query(
        &Filter::new().kind(Kind::from(14)).limit(2),
        Timestamp::from_secs(400),
    );
    let times: Vec<u64> = got.iter().map(|e| e.created_at.as_secs()).collect();
    assert_eq!(times, vec![300, 200]);
}

#[test]
fn journal_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let keys = Keys::generate();
    let now = Timestamp::from_secs(500);
    let old = event(&keys, 38383, 100, vec![Tag::identifier("o")]);
    let new = event(&keys, 38383, 200, vec![Tag::identifier("o")]);
    let dm = event(&keys, 14, 150, vec![]);
    {
        let store = EventStore::open(&path).unwrap();
        store.insert(old, now).unwrap();
        store.insert(new.clone(), now).unwrap();
        store.insert(dm.clone(), now).unwrap();
    }
    let reopened = EventStore::open(&path).unwrap();
    let mut ids: Vec<EventId> = all(&reopened).iter().map(|e| e.id).collect();
    ids.sort();
    let mut expected = vec![new.id, dm.id];
    expected.sort();
    assert_eq!(ids, expected);
}

#[test]
fn corrupt_journal_is_reported_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    std::fs::write(&path, "\nnot json\n").unwrap();
    match EventStore::open(&path) {
        Err(DevRelayError::CorruptJournal { line, .. }) => assert_eq!(line, 2),
        other => panic!("unexpected {other:?}"),
    }
}
