//! Drops a connection whose client stops reading: a write that cannot go on for [`WriteTimeout`]'s
//! time fails, and the HTTP layer then closes the connection.
//!
//! hyper bounds the time to read a request's headers, but not the time a response may wait for a
//! client that never reads it; such clients would otherwise keep their connection (and the response
//! in memory) for as long as they like.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A stream whose writes fail once they have made no progress for `limit`.
pub struct WriteTimeout<S> {
    inner: S,
    limit: Duration,
    /// Running while a write is blocked; reset by any progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteTimeout<S> {
    pub fn new(inner: S, limit: Duration) -> WriteTimeout<S> {
        WriteTimeout {
            inner,
            limit,
            stalled: None,
        }
    }

    /// After the inner stream answered `poll`: progress clears the timer, a block starts it (or
    /// turns into an error once it has run out).
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let limit = self.limit;
                let timer = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client has not read its response in time",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, poll)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::poll_fn;
    use tokio::net::{TcpListener, TcpStream};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    /// Writes until the stream fails; returns the error and how much was written.
    async fn write_until_error(stream: &mut WriteTimeout<TcpStream>) -> (io::Error, usize) {
        let chunk = vec![b'x'; 64 * 1024];
        let mut written = 0;
        loop {
            match poll_fn(|cx| Pin::new(&mut *stream).poll_write(cx, &chunk)).await {
                Ok(n) => written += n,
                Err(e) => return (e, written),
            }
        }
    }

    #[test]
    fn a_client_that_never_reads_makes_writes_fail() {
        runtime().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let address = listener.local_addr().expect("address");
            let _client = TcpStream::connect(address).await.expect("connect");
            let (server, _) = listener.accept().await.expect("accept");
            let mut stream = WriteTimeout::new(server, Duration::from_millis(200));
            let started = tokio::time::Instant::now();
            let (error, written) = write_until_error(&mut stream).await;
            assert_eq!(error.kind(), io::ErrorKind::TimedOut);
            assert!(written > 0, "the socket buffers took something first");
            assert!(started.elapsed() >= Duration::from_millis(200));
        });
    }

    #[test]
    fn a_client_that_reads_slowly_is_not_cut_off() {
        runtime().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let address = listener.local_addr().expect("address");
            let mut client = TcpStream::connect(address).await.expect("connect");
            let (server, _) = listener.accept().await.expect("accept");
            let limit = Duration::from_millis(500);
            let mut stream = WriteTimeout::new(server, limit);
            // More than the socket buffers hold, read at a pace that makes the whole transfer last
            // well over the limit (256 reads, 5 ms apart), while no single stall comes near it.
            let total = 16 * 1024 * 1024;
            let started = tokio::time::Instant::now();
            let reader = tokio::spawn(async move {
                let mut buf = vec![0; 64 * 1024];
                let mut read = 0;
                while read < total {
                    let mut view = ReadBuf::new(&mut buf);
                    poll_fn(|cx| Pin::new(&mut client).poll_read(cx, &mut view))
                        .await
                        .expect("read");
                    if view.filled().is_empty() {
                        break;
                    }
                    read += view.filled().len();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                read
            });
            let chunk = vec![b'x'; 64 * 1024];
            let mut written = 0;
            while written < total {
                let end = chunk.len().min(total - written);
                written += poll_fn(|cx| Pin::new(&mut stream).poll_write(cx, &chunk[..end]))
                    .await
                    .expect("writes go on while the client reads");
            }
            assert_eq!(reader.await.expect("reader"), total);
            assert!(
                started.elapsed() > limit,
                "the transfer outlasted the limit"
            );
        });
    }
}
