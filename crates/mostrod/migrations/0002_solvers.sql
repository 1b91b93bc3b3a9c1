-- 0002: dispute solvers and the escrow-deadline warning flag of disputes.

CREATE TABLE solvers (
    pubkey           TEXT PRIMARY KEY NOT NULL,
    rights           TEXT NOT NULL CHECK (rights IN ('read', 'read-write')),
    last_trade_index INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
) STRICT;

-- 1 once the assigned solver was warned that the escrow deadline is near.
ALTER TABLE disputes ADD COLUMN solver_warned INTEGER NOT NULL DEFAULT 0;
