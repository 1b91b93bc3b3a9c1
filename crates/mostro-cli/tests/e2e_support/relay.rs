//! One local relay per test binary, on its own thread and runtime so that it
//! outlives every `#[tokio::test]` runtime.
//!
//! Mirrors `crates/mostrod/tests/e2e_support/relay.rs` (test support of another
//! crate cannot be imported); only the URL is needed here, because these tests
//! look at the relay through the CLI, as a user does.

use std::sync::OnceLock;
use std::time::Duration;

use devrelay::DevRelay;

/// The relay URL shared by the tests of this binary; started on first use.
pub fn shared_relay_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("cli-e2e-devrelay".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("relay runtime");
                runtime.block_on(async move {
                    let relay = DevRelay::start_local().await.expect("start devrelay");
                    tx.send(relay.url()).expect("hand over the relay URL");
                    // Serve until the test process exits.
                    std::future::pending::<()>().await;
                });
            })
            .expect("spawn the relay thread");
        rx.recv_timeout(Duration::from_secs(30))
            .expect("the relay did not start")
    })
}
