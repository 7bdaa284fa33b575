package io.portico.spi.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;

/**
 * How a plugin changes a request body while it streams from the client to the upstream, installed
 * for one exchange with {@link Exchange#transformRequestBody}. The upstream is called as soon as
 * the request phases are over, and each piece of the client's body goes through {@link #next} on
 * its way, so the upstream gets what a piece yields while the client is still sending the rest (a
 * stream of JSON elements becoming a stream of gRPC messages, say).
 *
 * <p><b>Backpressure</b>: a step runs when a piece arrives and its result is written upstream at
 * once; while the upstream cannot take more, the client is not read. What a transform holds between
 * pieces (a partial element) is its own to bound.
 *
 * <p><b>Buffers</b>: the input belongs to the gateway, which releases it after the step returns. A
 * step returns the bytes to send (a new buffer, whose ownership passes to the gateway, or an empty
 * one to send nothing yet) and must not keep the input.
 *
 * <p><b>Refusing</b>: a step that finds the body unusable throws {@link Refused} with the answer
 * the client gets instead. The gateway resets the upstream's stream (or closes its connection) when
 * anything was sent, and answers with the refusal's reply, as it would a request phase's; once the
 * response has started it can only end it. Anything else a step throws ends the exchange with a 500
 * problem response.
 *
 * <p><b>Closing</b>: {@link #close} runs exactly once, on the exchange's event loop, when the
 * transform's stage is over, whichever way (the body ended, the client went away, the upstream
 * failed, a step refused). Steps are never called after it. Confined to the exchange's event loop.
 */
public interface RequestBodyTransform {

  /** The bytes to send upstream for one piece of the client's body (maybe empty). */
  ByteBuf next(ByteBuf input, ByteBufAllocator alloc) throws Refused;

  /** The client's body ended: the last bytes to send upstream (maybe empty). */
  ByteBuf end(ByteBufAllocator alloc) throws Refused;

  /** Releases what the transform holds; the default holds nothing. Must not throw. */
  default void close() {}

  /** The body cannot be transformed: the client gets {@link #reply()} instead. No stack trace. */
  final class Refused extends Exception {
    private final transient Reply reply;

    public Refused(Reply reply) {
      super(describe(reply), null, false, false);
      this.reply = reply;
    }

    private static String describe(Reply reply) {
      Reply.ProblemDetail problem = Objects.requireNonNull(reply, "reply").problem();
      return problem != null ? problem.detail() : reply.status().toString();
    }

    /** The answer to the client. */
    public Reply reply() {
      return reply;
    }
  }
}
