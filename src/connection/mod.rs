//! The connection layer, under every request: accepting sockets, capping how many one
//! client address (and the server) may hold, timing out clients that do not finish their
//! requests or stop reading responses, and handing an event stream's socket over from hyper.
//!
//! # Serving
//! [`serve`] runs hyper itself (what poem's `Server` does, plus what it cannot set): each
//! accepted socket takes a slot under the caps or is closed at once; hyper's HTTP/1 header
//! read timeout (it needs hyper's timer) bounds every request head after the first, counted
//! from the end of the previous response, so it also closes idle keep-alive connections; the
//! io's own deadline bounds the first one from the moment the connection opens (hyper's
//! timer starts only once the protocol is known, after the first bytes). The io fails any
//! write that has made no progress for the write timeout, which drops the connection, its
//! request and response, and with them an event stream's slot.
//!
//! # Handing over a stream's socket
//! An idle stream served by hyper keeps its whole HTTP connection alive: the read buffer,
//! the connection state, the connection's task, about 30 KiB. A stream needs none of it once
//! its response head is out, so an HTTP/1.1 stream's connection is *claimed*:
//! 1. the handler's response is served normally (authentication, middleware, logging,
//!    `X-Request-Id`, metrics all run), with a `chunked` body that ends at once;
//! 2. the io passes the response head through and swallows what follows (the body's
//!    terminating chunk), then reports end-of-input, so hyper finishes the connection as if
//!    the client had closed it after the response;
//! 3. when hyper drops the io, the socket goes to the stream instead of being closed, and the
//!    stream writes its events on it as the rest of the same chunked body.
//!
//! **Which connection.** The stream may only ever write to the connection its request
//! arrived on. That identity is not an address (two live connections can share a peer
//! address: a server on `0.0.0.0` reached at two local addresses from one source port, or a
//! reset connection whose port is reused at once). It is the connection's own state object:
//! [`serve`]'s hyper service, one per accepted socket, puts it into every request it reads
//! (a request extension of a type private to this module), and the io holds the same object.
//! This relies on hyper calling a connection's service only with requests read from that
//! connection (true of `hyper::server::conn`, HTTP/1 and HTTP/2 alike), and on nothing
//! between hyper and the handler replacing request extensions. A request that did not come
//! through [`serve`] carries no connection, and its stream stays with hyper.
//!
//! **Which bytes.** The io must know that the next bytes hyper writes are the stream's head,
//! not the rest of an earlier response on a reused keep-alive connection: a connection is
//! claimed only if its last I/O was reading (the request arrived after everything written
//! before it; a client that pipelines requests is left to hyper), and the claim is dropped,
//! the stream then ending at once for the client to resume, should the next write not start
//! with the stream's status line after all. HTTP/2 streams stay with hyper (the handler asks
//! for HTTP/1.1). What would break this: hyper writing a response head in pieces that do not
//! start with the status line (it always writes the head from its start), or buffering part
//! of an earlier response past a read of the next request (it writes a response before it
//! reads the next head). `CONVO_SSE_HANDOFF=off` turns the hand-over off.
//!
//! See docs/architecture.md#connections and docs/operations.md#limits-and-quotas.

mod handoff;
mod io;
mod server;
mod slots;
mod too_large;

pub use handoff::{Claim, Connection, HandedOver, STATUS_LINE};
pub use server::{Connections, serve};
