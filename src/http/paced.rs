//! Request bodies that trickle: a body that sends nothing for `SAFETRACE_BODY_IDLE_SECONDS`,
//! or averages under 1 KiB/s once its first 30 seconds are over, ends with a timeout
//! (answered 408, and the connection closed), so that slow senders cannot hold
//! connections and temporary files for ever. A 10 MiB photo at 2 KiB/s (a weak signal)
//! still gets through.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::error::PayloadError;
use actix_web::rt::time::{sleep, Sleep};
use actix_web::web::Bytes;
use futures_util::Stream;

/// How long a body may take before its average rate counts.
pub const GRACE: Duration = Duration::from_secs(30);

/// The lowest average rate after [`GRACE`], in bytes per second.
pub const MIN_RATE: u64 = 1024;

/// Whether `received` bytes in `elapsed` is too slow a body.
pub fn too_slow(received: u64, elapsed: Duration) -> bool {
    elapsed > GRACE && (received as f64) < elapsed.as_secs_f64() * MIN_RATE as f64
}

/// The error a body stream ends with when it trickles; see [`is_timeout`].
fn timeout(why: &str) -> PayloadError {
    PayloadError::Io(io::Error::new(io::ErrorKind::TimedOut, why.to_string()))
}

/// Whether a body ended because it trickled.
pub fn is_timeout(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == io::ErrorKind::TimedOut)
}

/// A request body that fails with a timeout when it sends nothing for `idle`, or too
/// slowly on average (see [`too_slow`]).
pub struct Paced<S> {
    inner: S,
    idle: Duration,
    timer: Pin<Box<Sleep>>,
    started: Instant,
    received: u64,
    done: bool,
}

impl<S> Paced<S> {
    pub fn new(inner: S, idle: Duration) -> Self {
        Paced { inner, idle, timer: Box::pin(sleep(idle)), started: Instant::now(), received: 0, done: false }
    }
}

impl<S> Stream for Paced<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                this.received += bytes.len() as u64;
                if too_slow(this.received, this.started.elapsed()) {
                    this.done = true;
                    return Poll::Ready(Some(Err(timeout("the request body arrives too slowly"))));
                }
                let next = actix_web::rt::time::Instant::now() + this.idle;
                this.timer.as_mut().reset(next);
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(other) => {
                this.done = other.is_none();
                Poll::Ready(other)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.done = true;
                    Poll::Ready(Some(Err(timeout("the request body stopped arriving"))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_counts_after_thirty_seconds() {
        assert!(!too_slow(0, Duration::from_secs(29)), "within the grace anything goes");
        assert!(!too_slow(31 * 1024, Duration::from_secs(31)));
        assert!(too_slow(31 * 1024 - 1, Duration::from_secs(31)));
        // A 10 MiB photo at 2 KiB/s: 85 minutes, always above the floor.
        let photo = 10 * 1024 * 1024u64;
        let at_2k = Duration::from_secs(photo / 2048);
        assert!(!too_slow(photo, at_2k));
        assert!(!too_slow(photo / 2, at_2k / 2));
    }
}
