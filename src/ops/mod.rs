//! Running the service: request ids and access lines, metrics, data directory locks,
//! and stopping on a signal.

pub mod lock;
pub mod metrics;
pub mod request;

use tokio::sync::watch;

/// Starts listening for SIGTERM and SIGINT (call inside the actix system). The receiver
/// turns `true` at the first one: the servers stop accepting and let requests in flight
/// finish (`SAFETRACE_SHUTDOWN_SECONDS`). A second signal ends the process at once, for
/// an operator who will not wait; the databases roll back what was not committed.
pub fn stop_on_signals() -> std::io::Result<watch::Receiver<bool>> {
    let (tx, rx) = watch::channel(false);
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        actix_web::rt::spawn(async move {
            let mut stopping = false;
            loop {
                let name = tokio_select(&mut term, &mut int).await;
                if stopping {
                    tracing::warn!(signal = name, "second signal: stopping now, without waiting for requests");
                    std::process::exit(1);
                }
                stopping = true;
                tracing::info!(signal = name, "stopping: no new connections; requests in flight may finish");
                let _ = tx.send(true);
            }
        });
    }
    #[cfg(not(unix))]
    actix_web::rt::spawn(async move {
        if actix_web::rt::signal::ctrl_c().await.is_ok() {
            let _ = tx.send(true);
        }
    });
    Ok(rx)
}

/// Waits for the first of two signal streams, without tokio's `select!` macro (its
/// feature is not enabled): whichever yields first.
#[cfg(unix)]
async fn tokio_select(
    term: &mut actix_web::rt::signal::unix::Signal,
    int: &mut actix_web::rt::signal::unix::Signal,
) -> &'static str {
    use std::future::poll_fn;
    use std::task::Poll;
    poll_fn(|cx| {
        if term.poll_recv(cx).is_ready() {
            return Poll::Ready("SIGTERM");
        }
        if int.poll_recv(cx).is_ready() {
            return Poll::Ready("SIGINT");
        }
        Poll::Pending
    })
    .await
}

/// Resolves when [`stop_on_signals`]' receiver turns `true`.
pub async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}
