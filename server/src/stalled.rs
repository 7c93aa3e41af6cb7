//! A connection whose client stops reading is cut off. A response waits on its client: a
//! streamed export sends as fast as the client takes it, and holds its heavy slot until its
//! last byte. A client that asks and then reads nothing would hold the slot for as long as
//! it stays connected, and four of them would hold every slot; the request timeout does not
//! help, since it ends once the headers are sent. So every write to a connection that makes
//! no progress for the send timeout fails, the connection closes, and what the response held
//! is let go.
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's stream whose writes fail once they have waited `timeout` without progress.
pub struct SendTimeout<S> {
    inner: S,
    timeout: Duration,
    /// Set while a write waits; cleared by any progress.
    waiting: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<S> SendTimeout<S> {
    pub fn new(inner: S, timeout: Duration) -> Self {
        SendTimeout { inner, timeout, waiting: None }
    }

    /// `poll` as the inner stream answered it, or an error once it has waited too long.
    fn watched<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.waiting = None;
            return poll;
        }
        let timeout = self.timeout;
        let waiting = self.waiting.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match waiting.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for SendTimeout<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for SendTimeout<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watched(cx, poll)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watched(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_flush(cx);
        self.watched(cx, poll)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watched(cx, poll)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn a_write_that_makes_no_progress_fails_after_the_timeout_and_one_that_does_not() {
        // A pipe whose far end reads nothing: its buffer of 64 bytes fills, then writes wait.
        let (near, far) = tokio::io::duplex(64);
        let mut stream = SendTimeout::new(near, Duration::from_millis(200));
        stream.write_all(&[0; 64]).await.unwrap();
        let started = std::time::Instant::now();
        let stalled = stream.write_all(&[0; 64]).await.unwrap_err();
        assert_eq!(stalled.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(200));
        // A reader that keeps up: no timeout, however long the whole takes.
        let (near, mut far2) = tokio::io::duplex(64);
        let mut stream = SendTimeout::new(near, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 16];
            let mut total = 0;
            while total < 4096 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                total += tokio::io::AsyncReadExt::read(&mut far2, &mut buf).await.unwrap();
            }
            total
        });
        stream.write_all(&[1; 4096]).await.unwrap();
        assert_eq!(reader.await.unwrap(), 4096);
        drop(far);
    }
}
