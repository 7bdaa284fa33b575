package io.portico.spi.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;

/**
 * How a plugin changes a response body on its way from the upstream to the client, returned from
 * {@link Plugin#responseBody} for one exchange. Three forms:
 *
 * <ul>
 *   <li>{@link #chunks}: streaming, one call per chunk as it arrives; the client gets each result
 *       at once, so time to first byte is kept.
 *   <li>{@link #events}: streaming per event of a {@code text/event-stream}: the gateway splits the
 *       body at the blank lines that end events and calls once per complete event (its bytes with
 *       the blank line that ends it), flushing each result to the client as it is made.
 *   <li>{@link #whole}: the gateway collects the body (up to a cap) and calls once with all of it,
 *       for edits that need the whole document (a JSON rewrite). The response head waits for the
 *       result, so the step may still change {@link Exchange#response()}'s headers.
 * </ul>
 *
 * <p><b>Framing</b> is the gateway's: a streamed body loses its {@code Content-Length} and is sent
 * chunked to HTTP/1.1 clients; a whole body gets the {@code Content-Length} of the result.
 *
 * <p><b>Buffers</b>: a step's input belongs to the gateway, which releases it after the step
 * returns. The step returns the bytes to send instead: a new buffer (from the allocator it is
 * given, or {@code Unpooled}), whose ownership passes to the gateway, or the input itself to send
 * it unchanged. A slice or duplicate of the input must be retained ({@code retainedSlice}). An
 * empty buffer sends nothing. A step must not keep the input after it returns, and must not block.
 *
 * <p><b>Failures</b>: a step that throws ends the exchange: with a 500 problem response when the
 * head is not out yet (always so for {@link #whole}), otherwise by closing the client's connection.
 * A body over the cap of {@link #whole} (or an event over the gateway's event limit) is answered
 * with 502 {@code upstream_response_too_large}.
 *
 * <p>Several plugins' transforms apply in the plugins' priority order, each to the output of the
 * one before. Responses without a body (to {@code HEAD}, 1xx, 204, 304) are never transformed.
 */
public final class BodyTransform {

  /** One step of a transform: the bytes to send instead of {@code input}. See the class doc. */
  @FunctionalInterface
  public interface Step {
    ByteBuf apply(ByteBuf input, ByteBufAllocator alloc);
  }

  /** The form of a transform. */
  public enum Mode {
    CHUNKS,
    EVENTS,
    WHOLE
  }

  private static final Step NOTHING_MORE = (input, alloc) -> input;

  private final Mode mode;
  private final Step step;
  private final Step onEnd;
  private final int maxBytes;

  private BodyTransform(Mode mode, Step step, Step onEnd, int maxBytes) {
    this.mode = mode;
    this.step = Objects.requireNonNull(step, "step");
    this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    this.maxBytes = maxBytes;
  }

  /** Streams the body through {@code onChunk}, one call per chunk. */
  public static BodyTransform chunks(Step onChunk) {
    return new BodyTransform(Mode.CHUNKS, onChunk, NOTHING_MORE, 0);
  }

  /**
   * Streams the body through {@code onChunk}; at the end, {@code onEnd} (called with an empty
   * input) may add bytes after the last chunk.
   */
  public static BodyTransform chunks(Step onChunk, Step onEnd) {
    return new BodyTransform(Mode.CHUNKS, onChunk, onEnd, 0);
  }

  /** Streams a {@code text/event-stream} through {@code onEvent}, one call per complete event. */
  public static BodyTransform events(Step onEvent) {
    return new BodyTransform(Mode.EVENTS, onEvent, NOTHING_MORE, 0);
  }

  /** As {@link #events(Step)}, with {@code onEnd} adding bytes after the last event. */
  public static BodyTransform events(Step onEvent, Step onEnd) {
    return new BodyTransform(Mode.EVENTS, onEvent, onEnd, 0);
  }

  /**
   * Collects the whole body, up to {@code maxBytes}, and calls {@code onBody} once with it.
   *
   * @throws IllegalArgumentException when {@code maxBytes} is not positive
   */
  public static BodyTransform whole(int maxBytes, Step onBody) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: at least 1)");
    }
    return new BodyTransform(Mode.WHOLE, onBody, NOTHING_MORE, maxBytes);
  }

  public Mode mode() {
    return mode;
  }

  /** The step per chunk, per event, or for the whole body. */
  public Step step() {
    return step;
  }

  /** The step run once after the last chunk or event, with an empty input. */
  public Step onEnd() {
    return onEnd;
  }

  /** The cap of a {@link Mode#WHOLE} transform; 0 for the streaming forms. */
  public int maxBytes() {
    return maxBytes;
  }

  /** Whether an end step was given. */
  public boolean hasEnd() {
    return onEnd != NOTHING_MORE;
  }
}
