//! Every JSON example PROTOCOL.md presents as a canonical message parses and
//! re-serialises to the same bytes; every form §11 names as invalid is refused.
//!
//! The examples are hand-copied from the spec. Where the spec uses a
//! placeholder, [`fill`] substitutes a concrete value: `<hex>` becomes the
//! §8.1 trade key N = 2 (`8717dc2d…`), `<order id>`/`<uuid>` the fixed order id
//! of the vectors, `<dispute id>` the fixed dispute id, and `<echo>` the
//! request id `42`. Nothing else is changed.

use mostro_protocol::{Action, CantDoReason, Message, Payload};

const TRADE_PUBKEY: &str = "8717dc2de0ae9de4bc3aca6460ce6ae4ad6b6f8d6e5683305cda7bfdf9cdaf5a";
const ORDER_ID: &str = "308e1272-d5f4-47e6-bd97-3504baea9c23";
const DISPUTE_ID: &str = "efc75871-2568-40b9-a6ee-c382d4d6de01";

fn fill(template: &str) -> String {
    template
        .replace("<hex>", TRADE_PUBKEY)
        .replace("<order id>", ORDER_ID)
        .replace("<uuid>", ORDER_ID)
        .replace("<dispute id>", DISPUTE_ID)
        .replace("<echo>", "42")
}

/// (spec location, example, expected `verify()`).
const CANONICAL_EXAMPLES: &[(&str, &str, bool)] = &[
    // §1.3: v1 rumor content, first tuple element.
    (
        "1.3 v1 content",
        r#"{"order":{"version":1,"request_id":null,"trade_index":1,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"take-sell","payload":null}}"#,
        true,
    ),
    // §1.4: decrypted v2 content, first tuple element.
    (
        "1.4 v2 content",
        r#"{"order":{"version":2,"request_id":1,"trade_index":1,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"take-sell","payload":null}}"#,
        true,
    ),
    // §2.2 canonical example.
    (
        "2.2 canonical",
        r#"{"order":{"version":2,"request_id":123,"trade_index":1,"action":"new-order","payload":{"order":{"kind":"sell","status":"pending","amount":0,"fiat_code":"VES","min_amount":null,"max_amount":null,"fiat_amount":100,"payment_method":"face to face,bank transfer","premium":1,"created_at":0,"expires_at":null}}}}"#,
        true,
    ),
    // §3.2 full SmallOrder example, carried by a `new-order` message.
    (
        "3.2 SmallOrder",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"new-order","payload":{"order":{"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","kind":"buy","status":"active","amount":7851,"fiat_code":"VES","min_amount":10,"max_amount":20,"fiat_amount":15,"payment_method":"face to face","premium":1,"buyer_trade_pubkey":"<hex>","seller_trade_pubkey":"<hex>","buyer_invoice":"lnbc…","created_at":1698870173,"expires_at":1698956573}}}}"#,
        true,
    ),
    // §3.4 list.
    (
        "3.4 add-invoice",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"add-invoice","payload":{"payment_request":[null,"lnbcrt1...",null]}}}"#,
        true,
    ),
    (
        "3.4 take-sell",
        r#"{"order":{"version":2,"request_id":null,"trade_index":3,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"take-sell","payload":{"payment_request":[null,"user@ln.tips",15]}}}"#,
        true,
    ),
    (
        "3.4 take-buy",
        r#"{"order":{"version":2,"request_id":null,"trade_index":3,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"take-buy","payload":{"amount":15}}}"#,
        true,
    ),
    (
        "3.4 dispute-initiated-by-you",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"dispute-initiated-by-you","payload":{"dispute":["efc75871-2568-40b9-a6ee-c382d4d6de01",null]}}}"#,
        true,
    ),
    (
        "3.4 cant-do",
        r#"{"cant-do":{"version":2,"request_id":9,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cant-do","payload":{"cant_do":"invalid_trade_index"}}}"#,
        true,
    ),
    (
        "3.4 release next_trade",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"release","payload":{"next_trade":["<hex>",5]}}}"#,
        true,
    ),
    (
        "3.4 fiat-sent-ok",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"fiat-sent-ok","payload":{"peer":{"pubkey":"<hex>","reputation":null}}}}"#,
        true,
    ),
    (
        "3.4 rate-user",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"rate-user","payload":{"rating_user":5}}}"#,
        true,
    ),
    (
        "3.4 orders request",
        r#"{"order":{"version":2,"request_id":8721,"trade_index":null,"action":"orders","payload":{"ids":["308e1272-d5f4-47e6-bd97-3504baea9c23"]}}}"#,
        true,
    ),
    (
        "3.4 restore-session",
        r#"{"restore":{"version":2,"request_id":null,"trade_index":null,"action":"restore-session","payload":null}}"#,
        true,
    ),
    (
        "3.4 last-trade-index",
        r#"{"restore":{"version":2,"request_id":null,"trade_index":7,"action":"last-trade-index","payload":null}}"#,
        true,
    ),
    (
        "3.4 admin-take-dispute",
        r#"{"dispute":{"version":2,"request_id":null,"trade_index":null,"id":"efc75871-2568-40b9-a6ee-c382d4d6de01","action":"admin-take-dispute","payload":null}}"#,
        true,
    ),
    // §5.2 new-order request and confirmation.
    (
        "5.2 request",
        r#"{"order":{"version":2,"request_id":1001,"trade_index":1,"action":"new-order","payload":{"order":{"kind":"sell","status":"pending","amount":0,"fiat_code":"VES","min_amount":null,"max_amount":null,"fiat_amount":100,"payment_method":"face to face,bank transfer","premium":1,"created_at":0,"expires_at":null}}}}"#,
        true,
    ),
    (
        "5.2 confirmation",
        r#"{"order":{"version":2,"request_id":1001,"trade_index":1,"id":"<order id>","action":"new-order","payload":{"order":{"id":"<order id>","kind":"sell","status":"pending","amount":0,"fiat_code":"VES","min_amount":null,"max_amount":null,"fiat_amount":100,"payment_method":"face to face,bank transfer","premium":1,"created_at":1698870173,"expires_at":1698956573}}}}"#,
        true,
    ),
    // §5.3 take-sell request and the add-invoice reply (which fails verify, §2.3).
    (
        "5.3 take-sell",
        r#"{"order":{"version":2,"request_id":null,"trade_index":2,"id":"<order id>","action":"take-sell","payload":null}}"#,
        true,
    ),
    (
        "5.3 add-invoice reply",
        r#"{"order":{"version":2,"request_id":null,"trade_index":2,"id":"<order id>","action":"add-invoice","payload":{"order":{"id":"<order id>","kind":"sell","status":"waiting-buyer-invoice","amount":7812,"fiat_code":"VES","min_amount":null,"max_amount":null,"fiat_amount":100,"payment_method":"face to face","premium":1,"created_at":1698870173,"expires_at":null}}}}"#,
        false,
    ),
    // §5.10 admin-add-solver reply (no id: fails verify).
    (
        "5.10 admin-add-solver reply",
        r#"{"dispute":{"version":2,"request_id":<echo>,"trade_index":null,"action":"admin-add-solver","payload":null}}"#,
        false,
    ),
    // §5.11 orders reply, restore-session reply (fails verify), last-trade-index reply.
    (
        "5.11 orders reply",
        r#"{"order":{"version":2,"request_id":8721,"trade_index":null,"action":"orders","payload":{"orders":[{"id":"c7dba9db-f13f-4c3f-a77f-3b82e43c2b1a","kind":"sell","status":"active","amount":3307,"fiat_code":"ARS","min_amount":1000,"max_amount":5000,"fiat_amount":5000,"payment_method":"Mercado Pago,Lemon","premium":2,"buyer_trade_pubkey":"<hex>","seller_trade_pubkey":"<hex>","created_at":1758889527,"expires_at":1758975927}]}}}"#,
        true,
    ),
    (
        "5.11 restore-session reply",
        r#"{"restore":{"version":2,"request_id":null,"trade_index":null,"action":"restore-session","payload":{"restore_data":{"orders":[{"order_id":"<uuid>","trade_index":1,"status":"pending"},{"order_id":"<uuid>","trade_index":3,"status":"fiat-sent"}],"disputes":[{"dispute_id":"<uuid>","order_id":"<uuid>","trade_index":4,"status":"initiated","initiator":"seller","solver_pubkey":null}]}}}}"#,
        false,
    ),
    (
        "5.11 last-trade-index reply",
        r#"{"restore":{"version":2,"request_id":<echo>,"trade_index":7,"action":"last-trade-index","payload":null}}"#,
        true,
    ),
    // §5.15 cant-do shape.
    (
        "5.15 cant-do",
        r#"{"cant-do":{"version":2,"request_id":9,"trade_index":null,"id":"<order id>","action":"cant-do","payload":{"cant_do":"not_allowed_by_status"}}}"#,
        true,
    ),
];

#[test]
fn spec_examples_are_canonical() {
    for (location, template, expected_verify) in CANONICAL_EXAMPLES {
        let json = fill(template);
        let msg = Message::from_json(&json)
            .unwrap_or_else(|e| panic!("§{location}: does not parse: {e:?}"));
        assert_eq!(msg.as_json(), json, "§{location}: not canonical");
        assert_eq!(msg.verify(), *expected_verify, "§{location}: verify()");
    }
}

#[test]
fn spec_example_values_are_read_correctly() {
    let msg = Message::from_json(&fill(CANONICAL_EXAMPLES[2].1)).unwrap();
    assert_eq!(msg.action(), Action::NewOrder);
    assert_eq!(msg.request_id(), Some(123));
    assert_eq!(msg.trade_index(), Some(1));
    assert_eq!(msg.id(), None);
    let Some(Payload::Order(order)) = msg.payload() else {
        panic!("expected an order payload");
    };
    assert_eq!(order.payment_method, "face to face,bank transfer");
    assert_eq!(order.created_at, Some(0));
    assert_eq!(order.expires_at, None);

    let cant_do = Message::from_json(&fill(CANONICAL_EXAMPLES[8].1)).unwrap();
    assert_eq!(
        cant_do.payload(),
        Some(&Payload::CantDo(Some(CantDoReason::InvalidTradeIndex)))
    );
}

/// Forms the protocol book uses but core refuses (§11.1, §11.2, §11.4, §11.5).
const BOOK_FORMS_REFUSED: &[(&str, &str)] = &[
    (
        "11.1 two-element payment_request",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"add-invoice","payload":{"payment_request":[null,"lnbcrt1..."]}}}"#,
    ),
    (
        "11.2 dispute as a bare string",
        r#"{"order":{"version":2,"request_id":null,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"dispute-initiated-by-you","payload":{"dispute":"efc75871-2568-40b9-a6ee-c382d4d6de01"}}}"#,
    ),
    (
        "11.4 kebab-case reason invalid-trade-index",
        r#"{"cant-do":{"version":2,"request_id":9,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cant-do","payload":{"cant_do":"invalid-trade-index"}}}"#,
    ),
    (
        "11.4 kebab-case reason not-allowed-by-status",
        r#"{"cant-do":{"version":2,"request_id":9,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cant-do","payload":{"cant_do":"not-allowed-by-status"}}}"#,
    ),
    (
        "11.4 kebab-case reason too-many-requests",
        r#"{"cant-do":{"version":2,"request_id":9,"trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"cant-do","payload":{"cant_do":"too-many-requests"}}}"#,
    ),
    (
        "11.5 request_id as a string",
        r#"{"order":{"version":2,"request_id":"123456","trade_index":null,"id":"308e1272-d5f4-47e6-bd97-3504baea9c23","action":"release","payload":null}}"#,
    ),
];

#[test]
fn book_forms_named_invalid_are_refused() {
    for (location, json) in BOOK_FORMS_REFUSED {
        assert!(
            Message::from_json(json).is_err(),
            "§{location}: must not parse"
        );
    }
}

#[test]
fn book_admin_add_solver_without_id_fails_verify() {
    // §11.6: the book's request has no id, so core's structural check drops it.
    let json = r#"{"order":{"version":2,"request_id":null,"trade_index":null,"action":"admin-add-solver","payload":{"text_message":"npub1jdf7pqmcf9xzzlj9d4q8yc5e4kzyf4dlxptj3dd4f4r3xvrqhjwq4cxkd8:read"}}}"#;
    let msg = Message::from_json(json).unwrap();
    assert!(!msg.verify());
    let mut with_id = msg;
    with_id.inner_mut().id = Some(ORDER_ID.parse().unwrap());
    assert!(with_id.verify());
}
