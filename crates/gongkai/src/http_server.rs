//! The HTTP/1.1 server loop of `gongkai serve`, with the limits a public server needs
//! that `axum::serve` does not set: a connection cap (taken before a connection is
//! accepted, so a flood of idle or slow connections queues in the kernel instead of
//! exhausting file descriptors) and a header-read timeout (a client that does not send
//! a whole request head in time — a slowloris, or a keep-alive connection left idle — is
//! closed). Plain TCP and TLS (`crate::tls::TlsListener`) both go through it.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// Time in-flight requests get to finish after shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(20);

/// File descriptors kept free for the database, the search index, logs and backups.
const RESERVED_FDS: u64 = 128;

/// How many connections may be open at once: the configured cap, lowered to what the
/// process's open-file limit allows (with a reserve), so the cap is always reachable.
pub fn effective_cap(configured: usize) -> usize {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we pass and reads nothing else.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } == 0;
    if !ok || lim.rlim_cur == libc::RLIM_INFINITY {
        return configured.max(1);
    }
    let allowed = lim.rlim_cur.saturating_sub(RESERVED_FDS).max(16);
    configured.min(usize::try_from(allowed).unwrap_or(usize::MAX)).max(1)
}

/// A stream holding one of the server's connection permits until it is dropped.
pub struct Capped<S> {
    inner: S,
    _permit: OwnedSemaphorePermit,
}

impl<S: AsyncRead + Unpin> AsyncRead for Capped<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Capped<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A TCP listener that accepts a connection only when a permit is free.
pub struct CappedListener {
    tcp: TcpListener,
    permits: Arc<Semaphore>,
}

impl CappedListener {
    pub fn new(tcp: TcpListener, max_connections: usize) -> CappedListener {
        CappedListener { tcp, permits: Arc::new(Semaphore::new(max_connections.max(1))) }
    }
}

impl axum::serve::Listener for CappedListener {
    type Io = Capped<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // Never closed: the semaphore lives as long as the listener.
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                return std::future::pending().await;
            };
            match self.tcp.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (Capped { inner: stream, _permit: permit }, addr);
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly.
                    tracing::warn!(error = %e, "accept failed");
                    drop(permit);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Serve `app` on `listener` until `shutdown` completes, then let requests in flight
/// finish (up to 20 seconds). Each request carries the peer address as `ConnectInfo`.
pub async fn serve<L>(mut listener: L, app: Router, header_read_timeout: Duration, shutdown: impl Future<Output = ()> + Send) -> io::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, addr) = tokio::select! {
            conn = listener.accept() => conn,
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(addr));
            app.clone().oneshot(req)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout).keep_alive(true);
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(io), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(DRAIN) => tracing::warn!("shutdown: requests still running after {} s were cut off", DRAIN.as_secs()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_never_exceeds_the_open_file_limit() {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: as in effective_cap.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
        let cap = effective_cap(usize::MAX / 2);
        if lim.rlim_cur != libc::RLIM_INFINITY {
            assert!((cap as u64) < lim.rlim_cur.max(RESERVED_FDS + 16), "{cap} vs {}", lim.rlim_cur);
        }
        assert_eq!(effective_cap(10), 10);
        assert_eq!(effective_cap(0), 1);
    }
}
