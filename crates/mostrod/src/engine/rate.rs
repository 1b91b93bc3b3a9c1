//! `rate-user` (PROTOCOL.md §5.8): one vote per side, the rated identity's aggregates
//! updated with the reference formula, and a kind-38384 event whose `d` tag is the
//! rated party's trade key (§11.11 fix).

use mostro_protocol::action::Action;
use mostro_protocol::cant_do::CantDoReason;
use mostro_protocol::events::reputation::Reputation;
use mostro_protocol::payload::Payload;
use mostro_protocol::status::Status;
use nostr::types::Timestamp;

use crate::model::{Order, User};

use super::input::{Ctx, Request};
use super::messages::Direct;
use super::output::{Outgoing, Refusal, Transition};

/// Handles `rate-user`.
pub(crate) fn rate_user(
    order: &Order,
    request: &Request,
    ctx: &Ctx<'_>,
    now: Timestamp,
) -> Result<Transition, Refusal> {
    let Some(Payload::RatingUser(vote)) = request.payload else {
        return Err(Refusal::Silent("rate-user without rating_user"));
    };
    let (Some(buyer), Some(seller)) = (order.buyer().cloned(), order.seller().cloned()) else {
        return Err(Refusal::Silent("rating on an order without both parties"));
    };
    let rater_is_seller = if request.sender == seller.trade_pubkey {
        true
    } else if request.sender == buyer.trade_pubkey {
        false
    } else {
        return Err(Refusal::Silent("rating from a key that is not a party"));
    };
    let allowed = order.status == Status::Success
        || (order.status == Status::SettledHoldInvoice && rater_is_seller);
    if !allowed {
        return Err(Refusal::CantDo(CantDoReason::InvalidOrderStatus));
    }
    let already = if rater_is_seller {
        order.seller_rated
    } else {
        order.buyer_rated
    };
    if already {
        return Err(Refusal::Silent("this side already rated"));
    }
    let (rater, rated) = if rater_is_seller {
        (seller, buyer)
    } else {
        (buyer, seller)
    };
    if rated.full_privacy() {
        return Err(Refusal::Silent("rated party trades in full privacy"));
    }
    let user = ctx
        .user(&rated.identity_pubkey)
        .cloned()
        .unwrap_or_else(|| fresh_user(rated.identity_pubkey, now));
    let mut reputation = reputation_of(&user);
    reputation
        .apply_vote(vote)
        .map_err(|_| Refusal::Silent("rating out of range"))?;
    let user = with_reputation(user, &reputation);

    let mut next = order.clone();
    if rater_is_seller {
        next.seller_rated = true;
    } else {
        next.buyer_rated = true;
    }
    let mut t = Transition::from(order, next);
    t.outbox.push(
        Direct::to(&rater, &t.order, Action::RateReceived)
            .request_id(request.request_id)
            .payload(Payload::RatingUser(vote))
            .build(),
    );
    t.outbox.push(Outgoing::RatingEvent {
        rated_trade_pubkey: rated.trade_pubkey,
        user: user.clone(),
    });
    t.user_updates.push(user);
    Ok(t)
}

/// A user row for an identity seen for the first time.
fn fresh_user(identity: nostr::key::PublicKey, now: Timestamp) -> User {
    User {
        identity_pubkey: identity,
        last_trade_index: 0,
        total_reviews: 0,
        total_rating: 0.0,
        last_rating: 0,
        max_rating: 0,
        min_rating: 0,
        solver: None,
        created_at: now,
    }
}

/// The rating aggregates of a user row.
pub(crate) fn reputation_of(user: &User) -> Reputation {
    Reputation {
        total_reviews: user.total_reviews,
        total_rating: user.total_rating,
        last_rating: user.last_rating,
        max_rate: user.max_rating,
        min_rate: user.min_rating,
    }
}

fn with_reputation(user: User, r: &Reputation) -> User {
    User {
        total_reviews: r.total_reviews,
        total_rating: r.total_rating,
        last_rating: r.last_rating,
        max_rating: r.max_rate,
        min_rating: r.min_rate,
        ..user
    }
}
