package io.portico.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;

/**
 * The request body an {@link UpstreamCall} to an HTTP/2 service keeps so that a stream the upstream
 * declares unprocessed ({@link UnprocessedException}: above a {@code GOAWAY}'s last stream id,
 * refused) can be resent whatever its method: a retained duplicate of each piece written, while the
 * whole body so far fits in the service's {@code http2.replay-buffer}.
 *
 * <p>Made by the call at the first piece of body it writes to an HTTP/2 service; nothing is kept
 * for an HTTP/1.1 service. Ownership: the duplicates are the buffer's until {@link #release}, which
 * the call does once the response head arrives (the stream was processed), when the body outgrows
 * the limit ({@link #keep} refuses it) or when the call ends; a resend writes further duplicates.
 * Confined to the call's event loop.
 */
final class ReplayBuffer {

  private final long limit;
  private HttpContent[] kept = new HttpContent[4];
  private int count;
  private long bytes;

  ReplayBuffer(long limit) {
    this.limit = limit;
  }

  /**
   * Keeps a retained duplicate of {@code content}, or, when the body would outgrow the limit with
   * it, releases everything kept and answers false: the stream can no longer be resent.
   */
  boolean keep(HttpContent content) {
    int n = content.content().readableBytes();
    if (bytes + n > limit) {
      release();
      return false;
    }
    bytes += n;
    if (count == kept.length) {
      kept = Arrays.copyOf(kept, count * 2);
    }
    kept[count++] = content.retainedDuplicate();
    return true;
  }

  /** Writes (not flushes) the body kept so far on {@code lease}, as duplicates: a resend. */
  void writeTo(UpstreamLease lease) {
    for (int i = 0; i < count; i++) {
      lease.write(kept[i].retainedDuplicate());
    }
  }

  /** Releases what is kept; the buffer is empty afterwards. */
  void release() {
    for (int i = 0; i < count; i++) {
      ReferenceCountUtil.release(kept[i]);
      kept[i] = null;
    }
    count = 0;
    bytes = 0;
  }
}
