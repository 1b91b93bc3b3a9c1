//! Dispatch: every input runs in its own tracked task; inputs for one order are
//! serialised by the order's lock (see `writer`), different orders run concurrently.
//!
//! A panic in a handler is caught at the task boundary and logged; it never takes the
//! daemon down.

use std::future::Future;
use std::sync::Arc;

use mostro_protocol::action::Action;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::engine::{Input, Request};
use crate::nostr::intake::InFlightGuard;
use crate::nostr::{IncomingRequest, Intake};
use crate::store::{ProcessedMark, StoreError};

use super::error::{HandleError, RuntimeError};
use super::Inner;

/// Capacity of the intake → dispatch queue; intake waits when it is full.
const DISPATCH_QUEUE: usize = 256;

/// Actions answered without an order lock (PROTOCOL.md §5.11, §5.2).
fn is_session_action(action: Action) -> bool {
    matches!(
        action,
        Action::NewOrder | Action::Orders | Action::RestoreSession | Action::LastTradeIndex
    )
}

/// Opens intake (it resumes from the last processed event) and the dispatch loop.
pub(super) async fn start_intake(inner: &Arc<Inner>) -> Result<(), RuntimeError> {
    let intake = Intake::new(
        inner.keys.clone(),
        &inner.store,
        inner.known_keys.clone(),
        &inner.intake,
        inner.clock.now(),
    )
    .await
    .map_err(RuntimeError::Intake)?;
    let in_flight = intake.in_flight();
    let (sink, mut requests) = mpsc::channel::<IncomingRequest>(DISPATCH_QUEUE);
    inner
        .tasks
        .spawn(intake.run(inner.relays.clone(), sink, inner.stop.clone()));
    let me = Arc::clone(inner);
    inner.tasks.spawn(async move {
        loop {
            let next = tokio::select! {
                () = me.stop.cancelled() => return,
                next = requests.recv() => next,
            };
            match next {
                Some(incoming) => {
                    let claim = in_flight.guard(incoming.event_id);
                    me.spawn_request(incoming, claim);
                }
                None => return,
            }
        }
    });
    Ok(())
}

impl Inner {
    /// Handles a user request in its own task. The event is marked processed in the
    /// commit of whatever it causes; `claim` (its in-flight entry) is released when the
    /// task ends, also by a failure or a panic, so that a later delivery of an event
    /// that was not committed is handled.
    pub(super) fn spawn_request(self: &Arc<Self>, incoming: IncomingRequest, claim: InFlightGuard) {
        let me = Arc::clone(self);
        let event_id = incoming.event_id;
        self.spawn_guarded("request", async move {
            let _claim = claim;
            let request = incoming.to_request();
            let action = request.action;
            let mark = incoming.processed_mark(me.clock.now());
            match me.route(request, mark).await {
                Ok(()) => {}
                Err(HandleError::Store(StoreError::AlreadyProcessed(_))) => {
                    tracing::debug!(%event_id, %action, "request already handled; nothing written");
                }
                Err(error) => tracing::error!(
                    %event_id,
                    %action,
                    error = &error as &dyn std::error::Error,
                    "request failed; left unprocessed for a later delivery"
                ),
            }
        });
    }

    /// Feeds `input` to the writer of `order_id` in its own task.
    pub(super) fn spawn_input(self: &Arc<Self>, order_id: Uuid, input: Input) {
        let me = Arc::clone(self);
        self.spawn_guarded("order input", async move {
            if let Err(error) = me.step(order_id, input).await {
                tracing::error!(
                    %order_id,
                    error = &error as &dyn std::error::Error,
                    "order input failed"
                );
            }
        });
    }

    /// Runs `work` as a tracked task; a panic inside it is logged, not propagated.
    pub(super) fn spawn_guarded<F>(&self, what: &'static str, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(async move {
            if let Err(error) = tokio::spawn(work).await {
                if error.is_panic() {
                    let panic = panic_message(error.into_panic());
                    tracing::error!(task = what, %panic, "handler panicked; input abandoned");
                } else {
                    tracing::warn!(task = what, "handler cancelled");
                }
            }
        });
    }

    /// Sends a request to the session handler or to its order's writer; `mark` is
    /// committed with whatever it causes.
    async fn route(
        self: &Arc<Self>,
        request: Request,
        mark: ProcessedMark,
    ) -> Result<(), HandleError> {
        if is_session_action(request.action) {
            return self.session(request, Some(mark)).await;
        }
        match request.action {
            Action::AdminAddSolver => return self.add_solver(request, mark).await,
            Action::AdminTakeDispute => return self.take_dispute(request, mark).await,
            _ => {}
        }
        match request.order_id {
            Some(order_id) => {
                self.step_marked(order_id, Input::Request(request), Some(mark))
                    .await
            }
            None => {
                tracing::debug!(action = %request.action, "order action without id dropped");
                self.record_handled(Some(mark)).await
            }
        }
    }
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&'static str>()
            .map_or_else(|| "non-text panic payload".to_owned(), |s| (*s).to_owned()),
    }
}
