package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.portico.upstream.UpstreamConnection;
import io.portico.upstream.UpstreamListener;
import org.jspecify.annotations.Nullable;

/**
 * Relays raw bytes both ways once a request switched protocols ({@code 101}, WebSocket and the
 * like): both HTTP codecs are out of the pipelines, and the relay owns both connections until
 * either side closes, when it closes the other.
 *
 * <pre>
 *   client ── onClientData ──▶ upstream          upstream ── onUpgradedData ──▶ client
 * </pre>
 *
 * <p>Flow control as for bodies: when one side cannot take more, reads from the other pause, and
 * resume on writability. Bytes are flushed once per read burst. Confined to the event loop both
 * connections share.
 *
 * <p>Idle limit: a tunnel through which nothing passes either way for the route's {@code idle}
 * timeout is closed, both sides, as nginx closes one after {@code proxy_read_timeout}; otherwise a
 * client could hold connections (its own and the upstream's) forever without sending a byte. The
 * deadline is the upstream connection's timer, moved forward (a field write) by every read burst.
 */
final class UpgradeRelay implements UpstreamListener {

  /** Told once when the relay ends, with the bytes relayed each way. */
  interface Ended {
    void onRelayEnded(long clientBytes, long upstreamBytes);

    /** The {@code 101} could not be written: the client is gone (the relay ends right after). */
    void onClientLost();
  }

  private final DownstreamHandler conn;
  private final UpstreamConnection upstream;
  private final Ended ended;
  private final long idleNanos;
  private long clientBytes;
  private long upstreamBytes;
  private boolean closed;

  UpgradeRelay(DownstreamHandler conn, UpstreamConnection upstream, Ended ended, long idleNanos) {
    this.conn = conn;
    this.upstream = upstream;
    this.ended = ended;
    this.idleNanos = idleNanos;
  }

  /**
   * Takes over the upstream connection and sends the client the {@code 101} head; once that is out,
   * the client's bytes come here too. A head that cannot be written ends the relay.
   */
  void start(HttpResponse head) {
    attach();
    conn.channel()
        .writeAndFlush(head)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                conn.upgradeTo(this);
              } else {
                ended.onClientLost();
                close();
              }
            });
  }

  /** Takes over the upstream connection: its codec goes, its bytes come here. */
  private void attach() {
    upstream.upgrade();
    upstream.handOver(this);
    upstream.channel().closeFuture().addListener(f -> close());
    touch();
  }

  /** Something passed: the tunnel's idle deadline moves to {@code idle} from now. */
  private void touch() {
    upstream.armDeadline(upstream.nanoTime() + idleNanos);
  }

  /** Nothing passed either way for the idle timeout: the tunnel ends. */
  @Override
  public void onDeadline() {
    close();
  }

  /** Bytes from the client. */
  void onClientData(ByteBuf data) {
    Channel up = upstream.channel();
    if (closed || !up.isActive()) {
      data.release();
      return;
    }
    clientBytes += data.readableBytes();
    up.write(data, up.voidPromise());
    if (!up.isWritable()) {
      conn.pauseReads();
    }
  }

  /** The client's read burst ended. */
  void flushToUpstream() {
    touch();
    upstream.channel().flush();
  }

  /** The client can take more: read the upstream again. */
  void onClientWritable() {
    Channel up = upstream.channel();
    if (!up.config().isAutoRead()) {
      up.config().setAutoRead(true);
    }
  }

  @Override
  public void onUpgradedData(ByteBuf data) {
    Channel down = conn.channel();
    if (closed || !down.isActive()) {
      data.release();
      return;
    }
    upstreamBytes += data.readableBytes();
    down.write(data, down.voidPromise());
    if (!down.isWritable()) {
      upstream.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void onReadComplete() {
    touch();
    conn.channel().flush();
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable) {
      conn.resumeReads();
    }
  }

  @Override
  public void onUpstreamClosed(@Nullable Throwable cause) {
    close();
  }

  /** Either side closed: close the other, once. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    upstream.release(false);
    conn.channel().close();
    ended.onRelayEnded(clientBytes, upstreamBytes);
  }

  @Override
  public void onResponseHead(HttpResponse response) {}

  @Override
  public void onResponseContent(HttpContent content) {
    content.release();
  }
}
