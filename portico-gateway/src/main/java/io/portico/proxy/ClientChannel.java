package io.portico.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.portico.forwarding.ForwardingPolicy;
import java.net.InetSocketAddress;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The client of a {@link DownstreamHandler} as its exchanges use it: who it is ({@link ClientPeer},
 * made once per connection), and how it is written to and read from. Over HTTP/1.1 a write is the
 * channel's own write, without another hop; for one HTTP/2 stream the stream's ({@link
 * Http2ClientStream}), which makes frames of it.
 *
 * <p>The layer of {@link DownstreamHandler} under its exchanges, pipelining and deadlines: the same
 * object, so an HTTP/2 stream's handler allocates nothing more. Confined to the channel's event
 * loop.
 */
abstract class ClientChannel extends ChannelInboundHandlerAdapter {

  final boolean secure;
  final boolean http2;
  final @Nullable Http2ClientStream stream;

  @Nullable ChannelHandlerContext ctx;
  Channel channel;
  private @Nullable InetSocketAddress peer;
  private @Nullable String peerText;
  private ForwardingPolicy.@Nullable ConnectionFacts facts;
  private boolean readsPaused;

  /** For an HTTP/1.1 connection ({@code stream} null, the channel known once added) or a stream. */
  ClientChannel(boolean secure, @Nullable Http2ClientStream stream) {
    this.secure = secure;
    this.http2 = stream != null;
    this.stream = stream;
    if (stream != null) {
      this.channel = stream.connection().channel();
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.channel = ctx.channel();
  }

  /**
   * Learns who the client is, once: false when it was known already. For a stream, its connection's
   * {@link ClientPeer}.
   */
  boolean identifyPeer() {
    if (peer != null) {
      return false;
    }
    ClientPeer p =
        stream != null ? stream.connection().peer(secure) : ClientPeer.of(channel, secure, false);
    peer = p.address();
    peerText = p.text();
    facts = p.facts();
    return true;
  }

  /** The peer's address as text, or null before the connection was active (for log lines). */
  @Nullable String peerTextOrNull() {
    return peerText;
  }

  /** The client connection (for HTTP/2, the connection that carries the stream). */
  Channel channel() {
    return channel;
  }

  ByteBufAllocator alloc() {
    return channel.alloc();
  }

  EventLoop eventLoop() {
    return channel.eventLoop();
  }

  /** Writes a response object to the client, unflushed. */
  void write(Object msg) {
    Http2ClientStream s = stream;
    if (s == null) {
      channel.write(msg, channel.voidPromise());
    } else {
      s.write(msg);
    }
  }

  /** Sends what was written. */
  void flush() {
    Http2ClientStream s = stream;
    if (s == null) {
      channel.flush();
    } else {
      s.flush();
    }
  }

  /** Writes and flushes the last object; {@code close}: the connection (stream) closes after. */
  void writeLast(Object msg, boolean close) {
    Http2ClientStream s = stream;
    if (s != null) {
      s.writeLast(msg, close);
    } else if (close) {
      channel.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.writeAndFlush(msg, channel.voidPromise());
    }
  }

  /** Whether the client can still be written to. */
  boolean clientActive() {
    Http2ClientStream s = stream;
    return s == null ? channel.isActive() : s.isActive();
  }

  /** Whether the client takes more now (else {@link HttpExchange#onDownstreamWritable} follows). */
  boolean clientWritable() {
    Http2ClientStream s = stream;
    return s == null ? channel.isWritable() : s.isWritable();
  }

  /**
   * Closes the connection; for HTTP/2, resets the stream. What was written before is flushed first:
   * a response cut mid-body (an upstream whose body broke in the read that also brought its head
   * and first chunk) reaches the client as far as it went, a head and part of a body without its
   * end, which the client can tell is cut, rather than as a connection closed with nothing.
   */
  void closeClient() {
    Http2ClientStream s = stream;
    if (s == null) {
      channel.flush();
      channel.close();
    } else {
      s.close();
    }
  }

  void pauseReads() {
    if (!readsPaused) {
      readsPaused = true;
      setAutoRead(false);
    }
  }

  void resumeReads() {
    if (readsPaused) {
      readsPaused = false;
      setAutoRead(true);
    }
  }

  private void setAutoRead(boolean read) {
    Http2ClientStream s = stream;
    if (s == null) {
      channel.config().setAutoRead(read);
    } else {
      s.setAutoRead(read);
    }
  }

  void writeContinue() {
    write(LocalAnswers.continueResponse());
    flush();
  }

  /** The client's address; set when the connection became active, before any exchange. */
  InetSocketAddress peer() {
    return Objects.requireNonNull(peer, "an exchange runs on an active connection");
  }

  /** The peer's address as text (made once per connection). */
  String peerText() {
    return Objects.requireNonNull(peerText, "an exchange runs on an active connection");
  }

  ForwardingPolicy.ConnectionFacts facts() {
    return Objects.requireNonNull(facts, "an exchange runs on an active connection");
  }

  boolean secure() {
    return secure;
  }

  boolean http2() {
    return http2;
  }

  /** The TLS session of the client connection. */
  javax.net.ssl.@Nullable SSLSession sslSession() {
    io.netty.handler.ssl.SslHandler ssl =
        channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
    return ssl == null ? null : ssl.engine().getSession();
  }
}
