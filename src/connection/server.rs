//! The accept loop and hyper's per-connection setup, with graceful shutdown.

use std::{convert::Infallible, future::Future, io, net::SocketAddr, sync::Arc, time::Duration};

use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
};
use poem::{
    Endpoint, EndpointExt, IntoEndpoint, Request,
    endpoint::BoxEndpoint,
    http::uri::Scheme,
    web::{LocalAddr, RemoteAddr},
};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use super::{
    handoff::Connection,
    io::ConnIo,
    slots::{Slot, Slots},
};
use crate::config::{ConnectionConfig, Switch};

/// The server's connections: how many are open, and the event streams writing on sockets
/// taken over from hyper.
pub struct Connections {
    slots: Arc<Slots>,
    direct: TaskTracker,
    handoff: bool,
    header_timeout: Duration,
    write_timeout: Duration,
}

/// The connection a request arrived on, put in the request by the server's own service:
/// no other code can make one, so a request can only ever name its own connection.
#[derive(Clone)]
struct ArrivedOn(Arc<Connection>);

impl Connections {
    pub fn new(config: &ConnectionConfig) -> Connections {
        Connections {
            slots: Arc::new(Slots::new(
                config.max_connections_per_ip,
                config.max_connections,
            )),
            direct: TaskTracker::new(),
            handoff: config.sse_handoff == Switch::On,
            header_timeout: config.header_timeout(),
            write_timeout: config.write_timeout(),
        }
    }

    /// The connection `req` arrived on, if its response may take the socket over: the
    /// hand-over is switched on, and the request came through [`serve`].
    pub fn handoff_of(&self, req: &Request) -> Option<Arc<Connection>> {
        if !self.handoff {
            return None;
        }
        req.extensions().get::<ArrivedOn>().map(|c| c.0.clone())
    }

    /// Whether event streams may take their sockets over.
    pub fn handoff_enabled(&self) -> bool {
        self.handoff
    }

    /// How long a write may make no progress before its connection is dropped.
    pub fn write_timeout(&self) -> Duration {
        self.write_timeout
    }

    /// Run a handed-off stream, tracked so shutdown can wait for it to end.
    pub fn spawn(&self, stream: impl Future<Output = ()> + Send + 'static) {
        self.direct.spawn(stream);
    }

    /// Streams currently writing on their own socket.
    pub fn direct_streams(&self) -> usize {
        self.direct.len()
    }

    /// Connections open now (handed-over streams included).
    pub fn open(&self) -> usize {
        self.slots.open()
    }

    /// Connections open now from `ip`.
    pub fn open_from(&self, ip: std::net::IpAddr) -> usize {
        self.slots.open_from(ip)
    }

    /// Wait (up to `grace`) for handed-off streams to end; they end by themselves on
    /// shutdown, writing their body's last chunk.
    pub async fn drain(&self, grace: Duration) {
        self.direct.close();
        let _ = tokio::time::timeout(grace, self.direct.wait()).await;
    }
}

/// Serve `ep` on `listener` until `signal` resolves, then let in-flight requests finish (up
/// to `grace`) and close what is left.
pub async fn serve(
    listener: TcpListener,
    connections: Arc<Connections>,
    ep: impl IntoEndpoint<Endpoint: 'static>,
    signal: impl Future<Output = ()>,
    grace: Duration,
) -> io::Result<()> {
    let ep: Arc<BoxEndpoint<'static>> = Arc::new(ep.into_endpoint().map_to_response().boxed());
    let local = listener.local_addr()?;
    let graceful = CancellationToken::new();
    let hard = CancellationToken::new();
    let tracker = TaskTracker::new();
    tokio::pin!(signal);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut signal => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, typically: give closing connections a moment
                    // instead of spinning on the error.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = connections.slots.try_acquire(peer.ip()) else {
            tracing::debug!(%peer, "connection refused: too many open connections");
            continue;
        };
        let accepted = Accepted {
            ep: ep.clone(),
            connections: connections.clone(),
            local,
            peer,
        };
        let (graceful, hard) = (graceful.clone(), hard.clone());
        tracker.spawn(accepted.serve(tcp, slot, graceful, hard));
    }
    drop(listener);
    graceful.cancel();
    tracker.close();
    if tokio::time::timeout(grace, tracker.wait()).await.is_err() {
        hard.cancel();
        tracker.wait().await;
    }
    Ok(())
}

/// What serving one accepted connection needs.
struct Accepted {
    ep: Arc<BoxEndpoint<'static>>,
    connections: Arc<Connections>,
    local: SocketAddr,
    peer: SocketAddr,
}

impl Accepted {
    async fn serve(
        self,
        tcp: TcpStream,
        slot: Slot,
        graceful: CancellationToken,
        hard: CancellationToken,
    ) {
        let _ = tcp.set_nodelay(true);
        let handle = Arc::new(Connection::default());
        let io = ConnIo::new(
            tcp,
            Some(slot),
            handle.clone(),
            self.connections.header_timeout,
            self.connections.write_timeout,
        );
        let (local, remote) = (LocalAddr(self.local.into()), RemoteAddr(self.peer.into()));
        let ep = self.ep;
        let service = hyper::service::service_fn(move |mut req| {
            handle
                .served
                .store(true, std::sync::atomic::Ordering::Release);
            req.extensions_mut().insert(ArrivedOn(handle.clone()));
            let req = Request::from((req, local.clone(), remote.clone(), Scheme::HTTP));
            let ep = ep.clone();
            async move { Ok::<hyper::Response<_>, Infallible>(ep.get_response(req).await.into()) }
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.connections.header_timeout);
        builder
            .http2()
            .max_pending_accept_reset_streams(Some(20))
            .max_header_list_size(16 * 1024);
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = graceful.cancelled() => {}
        }
        conn.as_mut().graceful_shutdown();
        tokio::select! {
            _ = conn => {}
            _ = hard.cancelled() => {}
        }
    }
}
