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
 *   <li>{@link #events}: streaming per event, flushing each result to the client as it is made. For
 *       newline-delimited JSON ({@code application/x-ndjson}, {@code application/jsonl}) an event
 *       is one line, with the line end that ends it; for any other type (a {@code
 *       text/event-stream}) the gateway splits the body at the blank lines that end server-sent
 *       events and calls once per complete event (its bytes with the blank line that ends it).
 *   <li>{@link #whole}: the gateway collects the body (up to a cap) and calls once with all of it,
 *       for edits that need the whole document (a JSON rewrite). The response head waits for the
 *       result, so the step may still change {@link Exchange#response()}'s headers.
 * </ul>
 *
 * <p><b>Content</b>: steps see the body decoded. When the first plugin returns a transform for a
 * response in {@code Content-Encoding} {@code gzip}, {@code x-gzip} or {@code deflate} (one coding,
 * in one header line: a chain such as two {@code gzip} lines is left as it came), the gateway
 * removes that header (so plugins after it, in priority order, see an identity head) and inflates
 * the body before the first step, within {@code limits.max-decoded-response-size} and {@code
 * limits.max-decoding-ratio} (beyond them, 502 {@code upstream_response_too_large} before the
 * decoded bytes grow further; a corrupt stream, 502 {@code upstream_body_invalid}). A body in any
 * other coding reaches the steps as it is, with its {@code Content-Encoding}: a plugin that must
 * read the content returns null for it. The result goes to the client as the last step leaves it
 * (identity, unless a step such as {@code compression}'s encodes it and says so in the head).
 *
 * <p><b>Framing</b> is the gateway's: the upstream's {@code Content-Length} goes, and a strong
 * {@code ETag} becomes weak. A body whose transformed bytes are all ready at the end (a whole body,
 * or one that arrived in one piece) is sent with the {@code Content-Length} of the result; a body
 * that streams is sent chunked to HTTP/1.1 clients.
 *
 * <p><b>Buffers</b>: a step's input belongs to the gateway, which releases it after the step
 * returns. The step returns the bytes to send instead: a new buffer (from the allocator it is
 * given, or {@code Unpooled}), whose ownership passes to the gateway, or the input itself to send
 * it unchanged. A slice or duplicate of the input must be retained ({@code retainedSlice}). An
 * empty buffer sends nothing. A step must not keep the input after it returns, and must not block.
 *
 * <p><b>Failures</b>: a step that throws ends the exchange: with a 500 problem response when the
 * head is not out yet (always so for {@link #whole}), otherwise by closing the client's connection.
 * A step that finds the upstream's body unusable (malformed JSON it must edit) throws {@link
 * InvalidBody} instead: 502 {@code upstream_body_invalid}, with its message as the problem's
 * detail. A body over the cap of {@link #whole} (or an event over the gateway's event limit of 1
 * MiB) is answered with 502 {@code upstream_response_too_large}, unless the transform was made with
 * {@link #passingWhenTooLarge()}: then the body goes to the client untransformed.
 *
 * <p><b>Closing</b>: a transform that holds a resource outside the buffers the gateway manages (a
 * {@link java.util.zip.Deflater}'s native memory, a parser, a counter in a shared registry) says so
 * with {@link #closingWith}: the gateway runs that hook exactly once, on the exchange's event loop,
 * as soon as its stage is over, whichever way: after the last step (and the end step) returned, or
 * at once when the exchange ends before the body does (the client went away, the upstream reset
 * mid-body, a step of any plugin threw, a limit was crossed), or when the transform was returned
 * but the body never flowed (a plugin later in the phase failed). Never later, at garbage
 * collection. A hook must not throw (what it throws is logged and ignored) and must not block.
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

  /**
   * Thrown by a step when the upstream's body cannot be transformed as configured (malformed JSON,
   * say): the client gets 502 {@code upstream_body_invalid} with {@link #getMessage()} as the
   * problem's detail, so the message must not quote the body. Carries no stack trace.
   */
  public static final class InvalidBody extends RuntimeException {
    public InvalidBody(String message) {
      super(message, null, false, false);
    }
  }

  /** The form of a transform. */
  public enum Mode {
    CHUNKS,
    EVENTS,
    WHOLE
  }

  private static final Step NOTHING_MORE = (input, alloc) -> input;
  private static final Runnable NOTHING_TO_CLOSE = () -> {};

  private final Mode mode;
  private final Step step;
  private final Step onEnd;
  private final int maxBytes;
  private final boolean passWhenTooLarge;
  private final Runnable onClose;

  private BodyTransform(
      Mode mode, Step step, Step onEnd, int maxBytes, boolean passWhenTooLarge, Runnable onClose) {
    this.mode = mode;
    this.step = Objects.requireNonNull(step, "step");
    this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
    this.maxBytes = maxBytes;
    this.passWhenTooLarge = passWhenTooLarge;
    this.onClose = Objects.requireNonNull(onClose, "onClose");
  }

  private BodyTransform(Mode mode, Step step, Step onEnd, int maxBytes) {
    this(mode, step, onEnd, maxBytes, false, NOTHING_TO_CLOSE);
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

  /**
   * This whole-body transform, except that a body over its cap is sent to the client as it is
   * (decoded, when the gateway decoded it), neither transformed nor refused: the bytes held so far
   * go out followed by the rest as it streams, and the step is never called.
   *
   * @throws IllegalStateException when this is not a {@link Mode#WHOLE} transform
   */
  public BodyTransform passingWhenTooLarge() {
    if (mode != Mode.WHOLE) {
      throw new IllegalStateException("only a whole-body transform has a cap to pass over");
    }
    return new BodyTransform(mode, step, onEnd, maxBytes, true, onClose);
  }

  /**
   * This transform, with {@code onClose} run exactly once when its stage is over: after the body
   * ended, or as soon as the exchange ends before it did. See the class doc's "Closing".
   */
  public BodyTransform closingWith(Runnable onClose) {
    return new BodyTransform(mode, step, onEnd, maxBytes, passWhenTooLarge, onClose);
  }

  /** The hook run once when the stage is over; does nothing unless {@link #closingWith} set one. */
  public Runnable onClose() {
    return onClose;
  }

  /** Whether a body over the cap passes untransformed ({@link #passingWhenTooLarge()}). */
  public boolean passesWhenTooLarge() {
    return passWhenTooLarge;
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
