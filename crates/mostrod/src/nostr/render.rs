//! Turning a transition's outbox ([`Outgoing`]) into signed events, before commit.
//!
//! Direct messages are wrapped in the recipient's transport; order revisions are built
//! from the committed record and bump its `last_event_at`, so the record written in
//! the same transaction knows the `created_at` of its newest public revision.

use ::nostr::event::Event;
use ::nostr::types::Timestamp;
use uuid::Uuid;

use super::public::{PublicEventError, PublicEvents};
use super::wrap::{ReplyWrapper, WrapError};
use crate::engine::{Outgoing, Transition};
use crate::model::{Dispute, Order, User};

/// An outbox entry could not be turned into an event.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Wrapping a direct message failed.
    #[error(transparent)]
    Wrap(#[from] WrapError),
    /// Building a public event failed.
    #[error(transparent)]
    Public(#[from] PublicEventError),
    /// An order revision names an order the transition does not carry.
    #[error("order {0} is not part of the transition")]
    UnknownOrder(Uuid),
    /// A dispute revision names a dispute the transition does not carry.
    #[error("dispute {0} is not part of the transition")]
    UnknownDispute(Uuid),
}

/// A signed event ready for the outbox, with the order it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The signed event.
    pub event: Event,
    /// The order the event is about, if any.
    pub order_id: Option<Uuid>,
}

/// Signs the engine's outgoing messages and public events.
#[derive(Debug, Clone)]
pub struct Renderer {
    wrapper: ReplyWrapper,
    public: PublicEvents,
}

impl Renderer {
    /// A renderer with the node's reply wrapper and public event builder.
    pub fn new(wrapper: ReplyWrapper, public: PublicEvents) -> Self {
        Self { wrapper, public }
    }

    /// The public event builder.
    pub fn public(&self) -> &PublicEvents {
        &self.public
    }

    /// The reply wrapper.
    pub fn wrapper(&self) -> &ReplyWrapper {
        &self.wrapper
    }

    /// Renders one outgoing item. Order revisions are looked up in `orders` (the
    /// transition's order and the orders it creates) and their `last_event_at` is set
    /// to the new revision's `created_at`. `users` holds the user rows the caller
    /// loaded (the maker's row gives the pending revision its `rating`).
    pub fn render(
        &self,
        outgoing: &Outgoing,
        orders: &mut [&mut Order],
        users: &[User],
        now: Timestamp,
    ) -> Result<Rendered, RenderError> {
        match outgoing {
            Outgoing::Direct {
                to,
                transport,
                message,
            } => Ok(Rendered {
                event: self.wrapper.wrap(to, *transport, message, now)?,
                order_id: message.id(),
            }),
            Outgoing::OrderEvent { order_id, bucket } => {
                let order = orders
                    .iter_mut()
                    .find(|o| o.id == *order_id)
                    .ok_or(RenderError::UnknownOrder(*order_id))?;
                let maker = users
                    .iter()
                    .find(|u| u.identity_pubkey == order.maker.identity_pubkey);
                let event = self.public.order_event(order, *bucket, maker, now)?;
                order.last_event_at = Some(event.created_at);
                Ok(Rendered {
                    event,
                    order_id: Some(*order_id),
                })
            }
            Outgoing::RatingEvent {
                rated_trade_pubkey,
                user,
            } => Ok(Rendered {
                event: self.public.rating_event(*rated_trade_pubkey, user, now)?,
                order_id: None,
            }),
            // Needs the transition's dispute row: see `render_transition`.
            Outgoing::DisputeEvent { dispute_id } => Err(RenderError::UnknownDispute(*dispute_id)),
        }
    }

    /// Renders a kind-38386 revision of the transition's dispute row and stores its
    /// `created_at` back into the row.
    fn render_dispute(
        &self,
        dispute_id: Uuid,
        dispute: Option<&mut Dispute>,
        now: Timestamp,
    ) -> Result<Rendered, RenderError> {
        let dispute = dispute
            .filter(|d| d.id == dispute_id)
            .ok_or(RenderError::UnknownDispute(dispute_id))?;
        let event = self.public.dispute_event(dispute, now)?;
        dispute.last_event_at = Some(event.created_at);
        Ok(Rendered {
            event,
            order_id: Some(dispute.order_id),
        })
    }

    /// Renders a whole transition's outbox, in order, updating `last_event_at` of the
    /// transition's orders. `users` are the rows the caller loaded besides the
    /// transition's own `user_updates` (which take precedence).
    pub fn render_transition(
        &self,
        transition: &mut Transition,
        users: &[User],
        now: Timestamp,
    ) -> Result<Vec<Rendered>, RenderError> {
        let updated = &transition.user_updates;
        let others = users.iter().filter(|u| {
            !updated
                .iter()
                .any(|k| k.identity_pubkey == u.identity_pubkey)
        });
        let known: Vec<User> = updated.iter().chain(others).cloned().collect();
        let outbox = std::mem::take(&mut transition.outbox);
        let mut orders: Vec<&mut Order> = std::iter::once(&mut transition.order)
            .chain(transition.new_orders.iter_mut())
            .collect();
        let mut dispute = transition.dispute_resolution.as_mut();
        let rendered = outbox
            .iter()
            .map(|item| match item {
                Outgoing::DisputeEvent { dispute_id } => {
                    self.render_dispute(*dispute_id, dispute.as_deref_mut(), now)
                }
                _ => self.render(item, &mut orders, &known, now),
            })
            .collect::<Result<Vec<_>, _>>();
        transition.outbox = outbox;
        rendered
    }
}
