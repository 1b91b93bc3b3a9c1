//! One client's WebSocket connection: reads frames, answers, and forwards live
//! events until the client leaves or the relay shuts down.

use std::net::SocketAddr;

use futures::{SinkExt, StreamExt};
use nostr::event::Event;
use nostr::message::RelayMessage;
use nostr::types::Timestamp;
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;
use tokio_util::sync::CancellationToken;

use crate::protocol::Session;
use crate::store::EventStore;

/// Why a connection ended early.
#[derive(Debug, thiserror::Error)]
enum ConnectionError {
    #[error("websocket failure")]
    WebSocket(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("relay message could not be serialised")]
    Serialise(#[from] nostr::error::Error),
}

/// Serves one accepted TCP connection.
pub(crate) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    store: EventStore,
    live: broadcast::Sender<Event>,
    shutdown: CancellationToken,
) {
    let ws = match tokio_tungstenite::accept_async(stream).await {
        Ok(ws) => ws,
        Err(error) => {
            tracing::debug!(%peer, %error, "websocket handshake failed");
            return;
        }
    };
    tracing::debug!(%peer, "client connected");
    let receiver = live.subscribe();
    match run(ws, Session::new(store), live, receiver, shutdown).await {
        Ok(()) => tracing::debug!(%peer, "client disconnected"),
        Err(error) => tracing::debug!(%peer, %error, "connection ended with an error"),
    }
}

async fn send(
    ws: &mut WebSocketStream<TcpStream>,
    messages: Vec<RelayMessage<'static>>,
) -> Result<(), ConnectionError> {
    for message in messages {
        ws.feed(Message::text(message.try_as_json()?)).await?;
    }
    ws.flush().await?;
    Ok(())
}

async fn run(
    mut ws: WebSocketStream<TcpStream>,
    mut session: Session,
    live: broadcast::Sender<Event>,
    mut receiver: broadcast::Receiver<Event>,
    shutdown: CancellationToken,
) -> Result<(), ConnectionError> {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => {
                // Best effort: the client may already be gone.
                let _ = ws.close(None).await;
                return Ok(());
            }
            frame = ws.next() => {
                let Some(frame) = frame else { return Ok(()) };
                match frame? {
                    Message::Text(text) => {
                        let reaction = session.handle_text(text.as_str(), Timestamp::now());
                        send(&mut ws, reaction.replies).await?;
                        if let Some(event) = reaction.broadcast {
                            // No receiver only means no connection is listening.
                            let _ = live.send(event);
                        }
                    }
                    Message::Binary(_) => {
                        let notice = RelayMessage::Notice("invalid: binary frames are not supported".into());
                        send(&mut ws, vec![notice]).await?;
                    }
                    Message::Close(_) => return Ok(()),
                    // Pings are answered by tungstenite itself.
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                }
            }
            received = receiver.recv() => match received {
                Ok(event) => {
                    let frames = session.live_matches(&event, Timestamp::now());
                    if !frames.is_empty() {
                        send(&mut ws, frames).await?;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, subscriptions = session.subscription_count(), "slow client missed live events");
                    let notice = RelayMessage::Notice("error: live events were dropped for this slow connection".into());
                    send(&mut ws, vec![notice]).await?;
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}
