//! One relay: a handle for the pool and the task that owns the WebSocket.

mod inbound;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use nostr::event::{Event, EventId};
use nostr::message::{ClientMessage, SubscriptionId};
use nostr::types::{RelayUrl, Timestamp};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

use crate::backoff::Backoff;
use crate::options::PoolOptions;
use crate::outcome::RelayAck;
use crate::subscription::Shared;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A connection that stayed up this long resets the reconnection backoff.
const STABLE_CONNECTION: Duration = Duration::from_secs(10);

/// Requests from the pool to a relay task.
#[derive(Debug)]
pub(crate) enum Command {
    /// Send `REQ` for this (already registered) subscription.
    Subscribe(SubscriptionId),
    /// Send `CLOSE` and forget the subscription.
    Unsubscribe(SubscriptionId),
    /// Send `EVENT` and report the relay's `OK`.
    Publish(Box<Event>, oneshot::Sender<RelayAck>),
}

/// The pool's side of a relay.
#[derive(Debug)]
pub(crate) struct RelayHandle {
    pub(crate) url: RelayUrl,
    pub(crate) commands: mpsc::UnboundedSender<Command>,
    connected: Arc<AtomicBool>,
}

impl RelayHandle {
    /// Creates the handle and the task (not yet started) behind it.
    pub(crate) fn new(
        url: RelayUrl,
        shared: Arc<Shared>,
        options: PoolOptions,
        shutdown: CancellationToken,
    ) -> (Self, RelayTask) {
        let (commands, receiver) = mpsc::unbounded_channel();
        let connected = Arc::new(AtomicBool::new(false));
        let task = RelayTask {
            url: url.clone(),
            shared,
            options,
            shutdown,
            commands: receiver,
            connected: Arc::clone(&connected),
            last_seen: HashMap::new(),
            stored_newest: HashMap::new(),
            caught_up: HashSet::new(),
            requested: HashSet::new(),
            pending: HashMap::new(),
        };
        let handle = Self {
            url,
            commands,
            connected,
        };
        (handle, task)
    }

    /// `true` while the WebSocket is open.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }
}

/// Why a connected session ended.
#[derive(Debug, thiserror::Error)]
enum SessionEnd {
    #[error("websocket failure")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("relay closed the connection")]
    ClosedByRelay,
    #[error("no traffic from the relay for {0:?}")]
    Silent(Duration),
    #[error("message could not be serialised")]
    Serialise(#[from] nostr::error::Error),
}

/// The task owning one relay's connection, alive until pool shutdown.
#[derive(Debug)]
pub(crate) struct RelayTask {
    url: RelayUrl,
    shared: Arc<Shared>,
    options: PoolOptions,
    shutdown: CancellationToken,
    commands: mpsc::UnboundedReceiver<Command>,
    connected: Arc<AtomicBool>,
    /// Newest `created_at` delivered by this relay, per subscription.
    last_seen: HashMap<SubscriptionId, Timestamp>,
    /// Newest stored event of the current connection, per subscription still
    /// before its `EOSE`.
    stored_newest: HashMap<SubscriptionId, Timestamp>,
    /// Subscriptions that reached `EOSE` on the current connection.
    caught_up: HashSet<SubscriptionId>,
    /// Subscriptions already sent (`REQ`) on the current connection.
    requested: HashSet<SubscriptionId>,
    /// Publications waiting for this relay's `OK`.
    pending: HashMap<EventId, Vec<oneshot::Sender<RelayAck>>>,
}

impl RelayTask {
    /// Connects, serves and reconnects until shutdown.
    pub(crate) async fn run(mut self) {
        let mut backoff = Backoff::new(self.options.reconnect_min, self.options.reconnect_max);
        loop {
            match self.connect().await {
                None => return,
                Some(Ok(socket)) => {
                    let started = Instant::now();
                    self.set_connected(true);
                    let end = self.session(socket).await;
                    self.set_connected(false);
                    self.fail_pending(RelayAck::ConnectionLost);
                    match end {
                        Ok(()) => return,
                        Err(error) => {
                            tracing::warn!(relay = %self.url, %error, "relay connection lost")
                        }
                    }
                    if started.elapsed() >= STABLE_CONNECTION {
                        backoff.reset();
                    }
                }
                Some(Err(error)) => {
                    tracing::warn!(relay = %self.url, %error, "cannot connect to relay");
                }
            }
            let delay = backoff.next_delay();
            tracing::debug!(relay = %self.url, ?delay, "reconnecting after delay");
            if !self.wait_offline(delay).await {
                return;
            }
        }
    }

    fn set_connected(&self, connected: bool) {
        self.connected.store(connected, Ordering::Release);
        self.shared.status.send_replace(());
        if connected {
            tracing::info!(relay = %self.url, "relay connected");
        }
    }

    /// One connection attempt; `None` on shutdown.
    async fn connect(&mut self) -> Option<Result<Socket, String>> {
        let attempt = tokio::time::timeout(
            self.options.connect_timeout,
            tokio_tungstenite::connect_async(self.url.as_str()),
        );
        tokio::select! {
            () = self.shutdown.cancelled() => None,
            result = attempt => Some(match result {
                Ok(Ok((socket, _response))) => Ok(socket),
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err(format!("handshake timed out after {:?}", self.options.connect_timeout)),
            }),
        }
    }

    /// Sleeps `delay` while answering commands; `false` on shutdown.
    async fn wait_offline(&mut self, delay: Duration) -> bool {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => return false,
                () = &mut sleep => return true,
                command = self.commands.recv() => match command {
                    None => return false,
                    Some(Command::Publish(_, reply)) => {
                        // The caller may have given up already.
                        let _ = reply.send(RelayAck::NotConnected);
                    }
                    // Active subscriptions are (re)sent on connection.
                    Some(Command::Subscribe(_)) => {}
                    Some(Command::Unsubscribe(id)) => {
                        self.forget(&id);
                    }
                },
            }
        }
    }

    /// Serves one open connection. `Ok(())` means shutdown.
    async fn session(&mut self, mut socket: Socket) -> Result<(), SessionEnd> {
        self.stored_newest.clear();
        self.caught_up.clear();
        self.requested.clear();
        let active: Vec<SubscriptionId> = self.shared.subscriptions().keys().cloned().collect();
        for id in active {
            self.send_req(&mut socket, &id).await?;
        }
        let silence_limit = self.options.ping_interval.saturating_mul(2);
        let mut last_traffic = Instant::now();
        let mut ping = tokio::time::interval(self.options.ping_interval);
        ping.reset();
        loop {
            tokio::select! {
                () = self.shutdown.cancelled() => {
                    let _ = socket.close(None).await;
                    return Ok(());
                }
                command = self.commands.recv() => match command {
                    None => return Ok(()),
                    Some(command) => self.on_command(&mut socket, command).await?,
                },
                frame = socket.next() => {
                    last_traffic = Instant::now();
                    match frame {
                        None | Some(Ok(Message::Close(_))) => return Err(SessionEnd::ClosedByRelay),
                        Some(Err(error)) => return Err(error.into()),
                        Some(Ok(Message::Text(text))) => self.on_text(text.as_str()),
                        Some(Ok(_)) => {}
                    }
                }
                _ = ping.tick() => {
                    if last_traffic.elapsed() >= silence_limit {
                        return Err(SessionEnd::Silent(silence_limit));
                    }
                    self.pending.retain(|_, waiters| {
                        waiters.retain(|waiter| !waiter.is_closed());
                        !waiters.is_empty()
                    });
                    socket.send(Message::Ping(Vec::new().into())).await?;
                }
            }
        }
    }

    async fn on_command(
        &mut self,
        socket: &mut Socket,
        command: Command,
    ) -> Result<(), SessionEnd> {
        match command {
            // Already sent when the connection opened.
            Command::Subscribe(id) if self.requested.contains(&id) => Ok(()),
            Command::Subscribe(id) => self.send_req(socket, &id).await,
            Command::Unsubscribe(id) => {
                self.forget(&id);
                let close = ClientMessage::close(id).try_as_json()?;
                socket.send(Message::text(close)).await?;
                Ok(())
            }
            Command::Publish(event, reply) => {
                let frame = ClientMessage::event(*event.clone()).try_as_json()?;
                self.pending.entry(event.id).or_default().push(reply);
                tracing::debug!(relay = %self.url, event_id = %event.id, "publishing event");
                socket.send(Message::text(frame)).await?;
                Ok(())
            }
        }
    }

    /// Sends `REQ` for `id` with `since` moved up to what this relay already
    /// delivered (minus the subscription's overlap).
    async fn send_req(
        &mut self,
        socket: &mut Socket,
        id: &SubscriptionId,
    ) -> Result<(), SessionEnd> {
        let filters = {
            let subscriptions = self.shared.subscriptions();
            let Some(entry) = subscriptions.get(id) else {
                return Ok(());
            };
            let floor = self.last_seen.get(id).map(|last| *last - entry.overlap);
            entry
                .filters
                .iter()
                .cloned()
                .map(|mut filter| {
                    if let Some(floor) = floor {
                        filter.since = Some(filter.since.map_or(floor, |since| since.max(floor)));
                    }
                    filter
                })
                .collect::<Vec<_>>()
        };
        let req = ClientMessage::req(id.clone(), filters).try_as_json()?;
        self.requested.insert(id.clone());
        tracing::debug!(relay = %self.url, subscription = %id, "subscribing");
        socket.send(Message::text(req)).await?;
        Ok(())
    }

    fn forget(&mut self, id: &SubscriptionId) {
        self.last_seen.remove(id);
        self.stored_newest.remove(id);
        self.caught_up.remove(id);
        self.requested.remove(id);
    }

    fn fail_pending(&mut self, ack: RelayAck) {
        for (_, waiters) in self.pending.drain() {
            for waiter in waiters {
                let _ = waiter.send(ack.clone());
            }
        }
    }
}
