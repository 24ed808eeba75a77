//! Bodies that trickle: one that sends nothing for `SAFETRACE_BODY_IDLE_SECONDS` is
//! answered 408 and its connection closed; one that keeps sending gets through.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use safetrace::config::AppConfig;

use crate::both_engines;
use crate::support::*;

const BOUNDARY: &str = "----safetrace-trickle";

/// Sends the request line, the headers and `pieces` of the body with `pause` between
/// them, then waits (without sending the rest) for the answer; answers the status line,
/// whether the server closed the connection, and how long it took after the last piece.
fn send(
    to: &Target,
    path: &str,
    content_type: &str,
    length: usize,
    pieces: &[&[u8]],
    pause: Duration,
) -> (String, bool, Duration) {
    let mut s = TcpStream::connect(to.0).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(15))).expect("timeout");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {length}\r\n\r\n",
        to.1
    );
    s.write_all(head.as_bytes()).expect("headers");
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            std::thread::sleep(pause);
        }
        s.write_all(piece).expect("a piece");
    }
    let stalled = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                // A complete answer to a complete body: the connection stays open.
                if !closed_expected(&answer) && answer.windows(4).any(|w| w == b"\r\n\r\n") && body_complete(&answer) {
                    break false;
                }
            }
            Err(_) => break false,
        }
    };
    let text = String::from_utf8_lossy(&answer).to_string();
    (text.lines().next().unwrap_or_default().to_string(), closed, stalled.elapsed())
}

fn closed_expected(answer: &[u8]) -> bool {
    answer.starts_with(b"HTTP/1.1 408")
}

/// Whether the answer's body is all there (by its Content-Length).
fn body_complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
    let length = head.lines().find_map(|l| {
        l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))
    });
    length.is_some_and(|n| body.len() >= n)
}

/// The server's address and a token.
#[derive(Clone)]
struct Target(std::net::SocketAddr, String);

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(f).await.expect("join")
}

both_engines! {
    async fn a_body_that_stalls_is_408_and_closed(app) {
        let config = AppConfig { body_idle: Duration::from_secs(1), ..test_config() };
        let app = TestApp::fresh_with(app.engine, config).await;
        let to = Target(app.server.addr(), app.token.clone());

        let a = to.clone();
        let (status, closed, waited) = blocking(move || {
            send(&a, "/api/v1/communities", "application/json", 200, &[b"{\"name\": \"\xe9\x87\x91"], Duration::ZERO)
        })
        .await;
        assert!(status.starts_with("HTTP/1.1 408"), "{status}");
        assert!(closed, "the connection is closed");
        assert!(waited < Duration::from_secs(8), "answered after the idle time, not never: {waited:?}");

        let a = to.clone();
        let part = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
             Content-Type: image/png\r\n\r\n\x7fPNG"
        );
        let (status, closed, _) = blocking(move || {
            send(&a, "/api/v1/attachments", &format!("multipart/form-data; boundary={BOUNDARY}"), 100_000, &[part.as_bytes()], Duration::ZERO)
        })
        .await;
        assert!(status.starts_with("HTTP/1.1 408"), "an upload: {status}");
        assert!(closed);
        let temp = app.state.config.data_dir.join("tmp");
        let left = std::fs::read_dir(&temp).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "no temporary file is left");

        // A body that keeps coming, if slowly, is read to the end.
        let a = to.clone();
        let body = br#"{"name": "slow community", "code": "SLOW"}"#;
        let (status, _, _) = blocking(move || {
            let (x, y) = body.split_at(20);
            send(&a, "/api/v1/communities", "application/json", body.len(), &[x, y], Duration::from_millis(600))
        })
        .await;
        assert!(status.starts_with("HTTP/1.1 201"), "{status}");
    }
}
