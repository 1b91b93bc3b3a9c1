//! Session actions: `last-trade-index`, `restore-session` and `orders`
//! (PROTOCOL.md §5.11, §8.4).

use std::str::FromStr;

use mostro_protocol::{
    Action, Kind, MessageKind, Payload, RestoreSessionInfo, SmallOrder, Status, Wrapper,
};
use nostr::key::{Keys, PublicKey};
use uuid::Uuid;

use super::request::Request;
use super::{unix_now, MostroClient, Privacy};
use crate::error::ClientError;
use crate::local_order::{LocalOrder, Side};

/// `max_orders_per_response` when the node does not advertise it.
const DEFAULT_ORDERS_PER_REQUEST: usize = 10;

/// What a session restore found.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreReport {
    /// Orders and disputed orders the daemon returned, now stored locally.
    pub orders: Vec<LocalOrder>,
    /// The local last trade index after the restore.
    pub last_trade_index: u32,
}

/// One order or dispute of a restore reply.
struct Restored {
    id: Uuid,
    index: u32,
    status: Option<Status>,
    dispute: Option<(Uuid, Option<String>)>,
}

fn to_index(value: i64) -> Result<u32, ClientError> {
    u32::try_from(value)
        .map_err(|_| ClientError::InvalidInput(format!("trade index {value} out of range")))
}

impl MostroClient {
    /// A trade key for session requests that are not about an order: the
    /// next unused index, without consuming it (never the identity key, §8.4).
    fn session_keys(&self) -> Result<Keys, ClientError> {
        let next = self.inner.store.last_trade_index()?.saturating_add(1);
        self.trade_keys(next)
    }

    /// Asks the daemon for our last used trade index (`last-trade-index`) and
    /// moves the local index forward to it (never backwards). Returns the
    /// local value afterwards. Not available in full privacy (no user row).
    pub async fn sync_trade_index(&self) -> Result<u32, ClientError> {
        if self.inner.privacy == Privacy::FullPrivacy {
            return Err(ClientError::InvalidInput(
                "full-privacy sessions have no trade index on the daemon".into(),
            ));
        }
        let keys = self.session_keys()?;
        let reply = self
            .request(Request {
                keys: &keys,
                wrapper: Wrapper::Restore,
                body: MessageKind::new(Action::LastTradeIndex),
                first_contact: true,
                unsolicited: &[],
            })
            .await?;
        let remote = reply
            .message
            .trade_index()
            .ok_or(ClientError::UnexpectedReply {
                request: Action::LastTradeIndex,
                action: reply.message.action(),
            })?;
        Ok(self.inner.store.advance_trade_index(to_index(remote)?)?)
    }

    /// Fetches our own orders by id (`orders`), in batches of the node's
    /// `max_orders_per_response`, and refreshes the local copies.
    pub async fn my_orders(&self, ids: &[Uuid]) -> Result<Vec<SmallOrder>, ClientError> {
        let batch = self
            .cached_info()
            .and_then(|i| i.max_orders_per_response)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_ORDERS_PER_REQUEST);
        let mut out = Vec::new();
        let groups: Vec<(Keys, Vec<Uuid>)> = match self.inner.privacy {
            Privacy::Reputation => {
                let keys = self.session_keys()?;
                ids.chunks(batch)
                    .map(|c| (keys.clone(), c.to_vec()))
                    .collect()
            }
            // Without an identity only the order's own trade key can ask.
            Privacy::FullPrivacy => ids
                .iter()
                .map(|id| {
                    let keys = match self.inner.store.order(*id)? {
                        Some(order) => self.trade_keys(order.trade_index)?,
                        None => self.session_keys()?,
                    };
                    Ok((keys, vec![*id]))
                })
                .collect::<Result<_, ClientError>>()?,
        };
        for (keys, chunk) in groups {
            let reply = self
                .request(Request {
                    keys: &keys,
                    wrapper: Wrapper::Order,
                    body: MessageKind::new(Action::Orders).with_payload(Payload::Ids(chunk)),
                    first_contact: true,
                    unsolicited: &[],
                })
                .await?;
            match reply.message.payload() {
                Some(Payload::Orders(orders)) => out.extend(orders.iter().cloned()),
                _ => {
                    return Err(ClientError::UnexpectedReply {
                        request: Action::Orders,
                        action: reply.message.action(),
                    })
                }
            }
        }
        for small in &out {
            let Some(id) = small.id else { continue };
            if let Some(mut local) = self.inner.store.order(id)? {
                if let Some(status) = small.status {
                    local.status = Some(status);
                }
                self.fill_peer(&mut local, small)?;
                local.order = Some(small.clone());
                local.updated_at = unix_now();
                self.inner.store.save_order(&local)?;
            }
        }
        Ok(out)
    }

    /// Sets the counterparty key from an order's buyer/seller keys.
    fn fill_peer(&self, local: &mut LocalOrder, small: &SmallOrder) -> Result<(), ClientError> {
        let me = self.trade_keys(local.trade_index)?.public_key();
        let key = |hex: &Option<String>| hex.as_deref().and_then(|h| PublicKey::from_hex(h).ok());
        let (buyer, seller) = (
            key(&small.buyer_trade_pubkey),
            key(&small.seller_trade_pubkey),
        );
        let peer = if buyer == Some(me) {
            seller
        } else if seller == Some(me) {
            buyer
        } else {
            None
        };
        if peer.is_some() {
            local.peer_pubkey = peer;
        }
        Ok(())
    }

    /// Restores the session from the daemon (§8.4): re-syncs the trade index
    /// (reputation mode), asks `restore-session`, fetches the details of every
    /// returned order with `orders`, and stores them locally.
    pub async fn restore_session(&self) -> Result<RestoreReport, ClientError> {
        if self.inner.privacy == Privacy::Reputation {
            match self.sync_trade_index().await {
                Ok(_) => {}
                // A new identity has no trade index yet.
                Err(ClientError::CantDo { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        let keys = self.session_keys()?;
        let reply = self
            .request(Request {
                keys: &keys,
                wrapper: Wrapper::Restore,
                body: MessageKind::new(Action::RestoreSession),
                first_contact: true,
                unsolicited: &[Action::RestoreSession],
            })
            .await?;
        let data = match reply.message.payload() {
            Some(Payload::RestoreData(data)) => data.clone(),
            // The daemon's own timeout answer carries no data.
            _ => RestoreSessionInfo {
                orders: Vec::new(),
                disputes: Vec::new(),
            },
        };
        let mut entries: Vec<Restored> = Vec::new();
        for o in &data.orders {
            entries.push(Restored {
                id: o.order_id,
                index: to_index(o.trade_index)?,
                status: Status::from_str(&o.status).ok(),
                dispute: None,
            });
        }
        for d in &data.disputes {
            entries.push(Restored {
                id: d.order_id,
                index: to_index(d.trade_index)?,
                status: Some(Status::Dispute),
                dispute: Some((d.dispute_id, d.solver_pubkey.clone())),
            });
        }
        let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
        let max_index = entries.iter().map(|e| e.index).max().unwrap_or(0);
        self.inner.store.advance_trade_index(max_index)?;
        let details = if ids.is_empty() {
            Vec::new()
        } else {
            self.my_orders(&ids).await.or_else(|error| match error {
                ClientError::CantDo { .. } => Ok(Vec::new()),
                other => Err(other),
            })?
        };
        let mut restored = Vec::new();
        for Restored {
            id,
            index,
            status,
            dispute,
        } in entries
        {
            let small = details.iter().find(|s| s.id == Some(id));
            let mut local = match self.inner.store.order(id)? {
                Some(local) => local,
                None => {
                    let me = self.trade_keys(index)?.public_key().to_hex();
                    let kind = small.and_then(|s| s.kind).unwrap_or(Kind::Sell);
                    let side = match small {
                        Some(s) if s.buyer_trade_pubkey.as_deref() == Some(me.as_str()) => {
                            Some(Side::Buyer)
                        }
                        Some(s) if s.seller_trade_pubkey.as_deref() == Some(me.as_str()) => {
                            Some(Side::Seller)
                        }
                        _ => None,
                    };
                    let is_maker = match (side, kind) {
                        (Some(Side::Buyer), Kind::Buy) | (Some(Side::Seller), Kind::Sell) => true,
                        (Some(_), _) => false,
                        // Only makers have orders without a counterparty.
                        (None, _) => true,
                    };
                    LocalOrder::new(id, index, kind, is_maker, unix_now())
                }
            };
            local.status = status.or(local.status);
            if let Some(small) = small {
                self.fill_peer(&mut local, small)?;
                local.order = Some(small.clone());
            }
            if let Some((dispute_id, solver)) = dispute {
                local.dispute_id = Some(dispute_id);
                local.solver_pubkey = solver.and_then(|s| PublicKey::from_hex(&s).ok());
            }
            self.inner.store.save_order(&local)?;
            restored.push(local);
        }
        Ok(RestoreReport {
            orders: restored,
            last_trade_index: self.inner.store.last_trade_index()?,
        })
    }
}
