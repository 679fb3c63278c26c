//! A loopback HTTP/1.1 server that records every request and answers each
//! as the test says: the stand-in for Slack's webhooks and PagerDuty's
//! Events API. One thread, one connection at a time, `Connection: close`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    /// `POST`.
    pub method: String,
    /// `/services/T0/B0/XYZ`.
    pub path: String,
    /// The body, as text.
    pub body: String,
}

impl Request {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

type Responder = dyn Fn(&Request) -> (u16, String) + Send + Sync;

/// The running server; it lives as long as the test process.
#[derive(Clone)]
pub struct Capture {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Capture {
    /// Starts a server answering with `respond`.
    pub fn start(respond: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static) -> Capture {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let respond: Arc<Responder> = Arc::new(respond);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(req) = serve(stream, &*respond) {
                    seen.lock().expect("requests").push(req);
                }
            }
        });
        Capture { base, requests }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().expect("requests").clone()
    }

    /// Waits up to 20 s for `n` requests.
    pub fn wait_for(&self, n: usize) -> Vec<Request> {
        for _ in 0..200 {
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("expected {n} requests, got {:?}", self.requests());
    }
}

fn serve(mut s: TcpStream, respond: &Responder) -> Option<Request> {
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    let (head_end, len) = loop {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got);
        if let Some(end) = text.find("\r\n\r\n") {
            let len = text[..end]
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .and_then(|v| v.trim().parse::<usize>().ok())
                })
                .unwrap_or(0);
            break (end + 4, len);
        }
    };
    while got.len() < head_end + len {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got).into_owned();
    let mut first = text.lines().next().unwrap_or_default().split(' ');
    let req = Request {
        method: first.next().unwrap_or_default().to_owned(),
        path: first.next().unwrap_or_default().to_owned(),
        body: text.get(head_end..).unwrap_or_default().to_owned(),
    };
    let (status, body) = respond(&req);
    let reason = match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        _ => "Status",
    };
    let _ = write!(
        s,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Some(req)
}
