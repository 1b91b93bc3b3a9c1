//! A local relay ([`devrelay`]) served by a thread and runtime of its own, so that
//! it outlives every `#[tokio::test]` runtime of a test binary.

use std::time::Duration;

use devrelay::{DevRelay, EventStore};

use crate::error::{Result, TestnetError};

/// How long the relay may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A devrelay on 127.0.0.1 that serves until the process exits.
#[derive(Debug, Clone)]
pub struct RelayThread {
    url: String,
    store: EventStore,
}

impl RelayThread {
    /// Starts the relay on a new thread named `thread_name`; returns once it listens.
    pub fn start(thread_name: &str) -> Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name(thread_name.to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = tx.send(Err(format!("relay runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let relay = match DevRelay::start_local().await {
                        Ok(relay) => relay,
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            return;
                        }
                    };
                    let _ = tx.send(Ok((relay.url(), relay.store().clone())));
                    // Serve (the relay stays in scope) until the process exits.
                    std::future::pending::<()>().await;
                });
            })
            .map_err(|source| TestnetError::Spawn {
                program: format!("thread {thread_name}"),
                source,
            })?;
        let (url, store) = rx
            .recv_timeout(START_TIMEOUT)
            .map_err(|_| TestnetError::Timeout {
                what: "the local relay to listen".into(),
                secs: START_TIMEOUT.as_secs(),
            })?
            .map_err(TestnetError::Relay)?;
        Ok(Self { url, store })
    }

    /// `ws://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the relay stored, for queries.
    pub fn store(&self) -> &EventStore {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_listens_on_loopback_and_outlives_its_caller() {
        let relay = RelayThread::start("test-relay").unwrap();
        let port: u16 = relay
            .url()
            .strip_prefix("ws://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap();
        // No runtime of the caller is involved: a blocking connect reaches it.
        std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    }
}
