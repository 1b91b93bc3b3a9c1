-- 0001: the daemon's initial schema.
--
-- Keys are stored as lowercase hex, hashes and preimages as 32-byte blobs, times as
-- Unix seconds. Amounts are sats (INTEGER). Every repeated query has an index.

CREATE TABLE orders (
    id                          TEXT PRIMARY KEY NOT NULL,
    kind                        TEXT NOT NULL,
    status                      TEXT NOT NULL,
    pricing                     TEXT NOT NULL,
    amount                      INTEGER NOT NULL,
    fee                         INTEGER NOT NULL,
    dev_fee                     INTEGER NOT NULL,
    premium                     INTEGER NOT NULL,
    fiat_code                   TEXT NOT NULL,
    fiat_amount                 INTEGER NOT NULL,
    min_amount                  INTEGER,
    max_amount                  INTEGER,
    payment_method              TEXT NOT NULL,
    maker_trade_pubkey          TEXT NOT NULL,
    maker_identity_pubkey       TEXT NOT NULL,
    maker_trade_index           INTEGER NOT NULL,
    maker_transport             TEXT NOT NULL,
    taker_trade_pubkey          TEXT,
    taker_identity_pubkey       TEXT,
    taker_trade_index           INTEGER,
    taker_transport             TEXT,
    buyer_invoice               TEXT,
    buyer_invoice_from_maker    INTEGER NOT NULL,
    hold_hash                   BLOB,
    hold_preimage               BLOB,
    hold_bolt11                 TEXT,
    hold_amount_sats            INTEGER,
    hold_held_at                INTEGER,
    hold_htlc_expiry_height     INTEGER,
    payout_state                TEXT NOT NULL,
    payout_payment_hash         BLOB,
    payout_attempts             INTEGER,
    payout_retry_at             INTEGER,
    payout_awaiting_new_invoice INTEGER,
    payout_routing_fee_sats     INTEGER,
    hold_request_id             INTEGER,
    cancel_initiator            TEXT,
    buyer_rated                 INTEGER NOT NULL,
    seller_rated                INTEGER NOT NULL,
    next_trade_pubkey           TEXT,
    next_trade_index            INTEGER,
    range_parent_id             TEXT,
    created_at                  INTEGER NOT NULL,
    expires_at                  INTEGER NOT NULL,
    taken_at                    INTEGER,
    last_event_at               INTEGER
) STRICT;

CREATE INDEX orders_status ON orders (status);
CREATE INDEX orders_maker_trade_pubkey ON orders (maker_trade_pubkey);
CREATE INDEX orders_taker_trade_pubkey ON orders (taker_trade_pubkey);
CREATE INDEX orders_maker_identity ON orders (maker_identity_pubkey, status);
CREATE INDEX orders_taker_identity ON orders (taker_identity_pubkey, status);
CREATE UNIQUE INDEX orders_hold_hash ON orders (hold_hash) WHERE hold_hash IS NOT NULL;
CREATE INDEX orders_expires_at ON orders (status, expires_at);

CREATE TABLE users (
    identity_pubkey  TEXT PRIMARY KEY NOT NULL,
    last_trade_index INTEGER NOT NULL,
    total_reviews    INTEGER NOT NULL,
    total_rating     REAL NOT NULL,
    last_rating      INTEGER NOT NULL,
    max_rating       INTEGER NOT NULL,
    min_rating       INTEGER NOT NULL,
    solver           TEXT,
    created_at       INTEGER NOT NULL
) STRICT;

CREATE TABLE disputes (
    id                    TEXT PRIMARY KEY NOT NULL,
    order_id              TEXT NOT NULL REFERENCES orders (id),
    status                TEXT NOT NULL,
    order_previous_status TEXT NOT NULL,
    initiator             TEXT NOT NULL,
    solver_pubkey         TEXT,
    created_at            INTEGER NOT NULL,
    taken_at              INTEGER,
    last_event_at         INTEGER
) STRICT;

CREATE INDEX disputes_order_id ON disputes (order_id);
CREATE INDEX disputes_status ON disputes (status);

-- Signed events waiting for a relay's OK. A row is deleted once acknowledged.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    order_id        TEXT,
    event_json      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL
) STRICT;

CREATE INDEX outbox_next_attempt_at ON outbox (next_attempt_at);

-- Inbound event ids already handled (replay protection across restarts).
CREATE TABLE processed_events (
    event_id     TEXT PRIMARY KEY NOT NULL,
    created_at   INTEGER NOT NULL,
    processed_at INTEGER NOT NULL
) STRICT;

CREATE INDEX processed_events_created_at ON processed_events (created_at);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
