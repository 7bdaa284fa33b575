package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.portico.spi.plugin.BodyTransform;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response body stage of one exchange: the {@link BodyTransform}s its plugins chose, applied in
 * order to the body on its way from the upstream to the client. Exists only for an exchange whose
 * plugins asked for a transform; every other response streams untouched.
 *
 * <pre>
 *   upstream chunk ─▶ [inflate] ─▶ stage 1 ─▶ stage 2 ─▶ ... ─▶ bytes for the client (maybe none yet)
 * </pre>
 *
 * <p>An encoded body is inflated first ({@link ResponseDecoding}). A {@link
 * BodyTransform.Mode#CHUNKS} stage passes each chunk through its step; an {@link
 * BodyTransform.Mode#EVENTS} stage cuts its input into events (server-sent events, or lines of
 * newline-delimited JSON) and passes each complete one; a {@link BodyTransform.Mode#WHOLE} stage
 * holds its input up to its cap and passes it all at the end (or, past the cap, everything
 * untransformed when its transform passes when too large).
 *
 * <p>Closing: each transform's {@link BodyTransform#onClose()} runs exactly once, right after the
 * last input went through every stage, or in {@link #discard} when the exchange ended first.
 *
 * <p>Buffers: {@link #feed} takes ownership of its input and returns a buffer the caller owns;
 * stages hold partial events and whole bodies until the end or {@link #discard}, which releases
 * them. A step that throws, a corrupt encoded body ({@link ResponseDecoding.Corrupt}) or a body
 * over a limit ({@link BodyLimitExceeded}) leaves the pipeline to be discarded.
 *
 * <p>Confined to the exchange's event loop.
 */
final class ResponseBodyPipeline {

  /** The most bytes one event (a server-sent event, a JSON line) may have before it is refused. */
  static final int MAX_EVENT_BYTES = 1024 * 1024;

  /** A whole body or one event is larger than its limit. */
  static final class BodyLimitExceeded extends RuntimeException {
    BodyLimitExceeded(String message) {
      super(message, null, false, false);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ResponseBodyPipeline.class);

  private final Stage[] stages;
  private final List<BodyTransform> transforms;
  private boolean closed;

  private ResponseBodyPipeline(Stage[] stages, List<BodyTransform> transforms) {
    this.stages = stages;
    this.transforms = transforms;
  }

  /**
   * The pipeline for {@code transforms}, in order, after {@code decoding} when the body is encoded
   * (null otherwise); {@code contentType} (or null) says how events are cut.
   */
  static ResponseBodyPipeline of(
      List<BodyTransform> transforms,
      ByteBufAllocator alloc,
      @Nullable String contentType,
      @Nullable ResponseDecoding decoding) {
    int first = decoding == null ? 0 : 1;
    Stage[] stages = new Stage[transforms.size() + first];
    if (decoding != null) {
      stages[0] = new DecodeStage(decoding);
    }
    boolean lines = isJsonLines(contentType);
    for (int i = 0; i < transforms.size(); i++) {
      BodyTransform t = transforms.get(i);
      stages[first + i] =
          switch (t.mode()) {
            case CHUNKS -> new ChunkStage(t, alloc);
            case EVENTS -> new EventStage(t, alloc, lines);
            case WHOLE -> new WholeStage(t, alloc);
          };
    }
    return new ResponseBodyPipeline(stages, List.copyOf(transforms));
  }

  /** Whether {@code contentType} is newline-delimited JSON, whose events are lines. */
  static boolean isJsonLines(@Nullable String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return type.equalsIgnoreCase("application/x-ndjson")
        || type.equalsIgnoreCase("application/jsonl")
        || type.equalsIgnoreCase("application/x-jsonlines");
  }

  /**
   * Passes {@code input} (owned by the pipeline from here) through every stage and returns what the
   * client gets now, owned by the caller; {@code last} ends the body.
   */
  ByteBuf feed(ByteBuf input, boolean last) {
    ByteBuf data = input;
    for (Stage stage : stages) {
      data = stage.apply(data, last);
    }
    if (last) {
      close(transforms);
      closed = true;
    }
    return data;
  }

  /**
   * Releases whatever the stages hold and runs the transforms' close hooks that have not run (the
   * exchange ended before the body did). Idempotent.
   */
  void discard() {
    for (Stage stage : stages) {
      stage.discard();
    }
    if (!closed) {
      closed = true;
      close(transforms);
    }
  }

  /**
   * Runs the close hook of each of {@code transforms} once, in order; one that throws is logged and
   * the others still run.
   */
  static void close(List<BodyTransform> transforms) {
    for (BodyTransform t : transforms) {
      try {
        t.onClose().run();
      } catch (RuntimeException e) {
        log.warn("a response body transform failed while closing", e);
      }
    }
  }

  /** Calls {@code step} on {@code input} under the ownership rules of {@link BodyTransform}. */
  static ByteBuf call(BodyTransform.Step step, ByteBuf input, ByteBufAllocator alloc) {
    ByteBuf out;
    try {
      out = step.apply(input, alloc);
    } catch (RuntimeException | Error e) {
      input.release();
      throw e;
    }
    if (out != input) {
      input.release();
    }
    return out == null ? Unpooled.EMPTY_BUFFER : out;
  }

  /** Both buffers, in order, as one (ownership of both passes to the result). */
  static ByteBuf concat(ByteBufAllocator alloc, ByteBuf a, ByteBuf b) {
    if (!b.isReadable()) {
      b.release();
      return a;
    }
    if (!a.isReadable()) {
      a.release();
      return b;
    }
    CompositeByteBuf both = alloc.compositeBuffer(2);
    both.addComponent(true, a);
    both.addComponent(true, b);
    return both;
  }

  private interface Stage {
    ByteBuf apply(ByteBuf input, boolean last);

    void discard();
  }

  /** Each chunk through the step; the end step after the last. */
  private static final class ChunkStage implements Stage {
    private final BodyTransform transform;
    private final ByteBufAllocator alloc;

    ChunkStage(BodyTransform transform, ByteBufAllocator alloc) {
      this.transform = transform;
      this.alloc = alloc;
    }

    @Override
    public ByteBuf apply(ByteBuf input, boolean last) {
      ByteBuf out = input.isReadable() ? call(transform.step(), input, alloc) : input;
      if (last && transform.hasEnd()) {
        ByteBuf tail;
        try {
          tail = call(transform.onEnd(), Unpooled.EMPTY_BUFFER, alloc);
        } catch (RuntimeException | Error e) {
          out.release();
          throw e;
        }
        out = concat(alloc, out, tail);
      }
      return out;
    }

    @Override
    public void discard() {}
  }

  /** Inflates an encoded body. */
  private static final class DecodeStage implements Stage {
    private final ResponseDecoding decoding;

    DecodeStage(ResponseDecoding decoding) {
      this.decoding = decoding;
    }

    @Override
    public ByteBuf apply(ByteBuf input, boolean last) {
      ByteBuf out = decoding.decode(input, last);
      if (last) {
        decoding.close();
      }
      return out;
    }

    @Override
    public void discard() {
      decoding.close();
    }
  }

  /**
   * Cuts its input into events. Server-sent events: an event ends with a blank line (two line ends
   * in a row; a line ends with CRLF, LF or CR). Each complete event goes through the step as soon
   * as its blank line is seen (a CR is taken as a line end at once; the LF of a CRLF that follows
   * is passed on by itself). JSON lines: an event is a line, ended by LF (with the CR before it, if
   * any). A partial event waits for the next input, up to {@link #MAX_EVENT_BYTES}. At the end a
   * partial event is passed as it is.
   */
  private static final class EventStage implements Stage {
    private final BodyTransform transform;
    private final ByteBufAllocator alloc;
    private final boolean lines;

    private @Nullable CompositeByteBuf carry;
    private int scanned; // bytes of carry already scanned
    private boolean atLineStart = true;
    private boolean afterCr; // the last byte scanned was a CR: an LF next completes a CRLF
    private boolean crEndedEvent; // that CR ended an event: a following LF is passed on alone

    EventStage(BodyTransform transform, ByteBufAllocator alloc, boolean lines) {
      this.transform = transform;
      this.alloc = alloc;
      this.lines = lines;
    }

    @Override
    public ByteBuf apply(ByteBuf input, boolean last) {
      if (carry == null) {
        carry = alloc.compositeBuffer(64);
      }
      carry.addComponent(true, input);
      ByteBuf out = Unpooled.EMPTY_BUFFER;
      try {
        int eventStart = carry.readerIndex();
        int i = carry.readerIndex() + scanned;
        int end = carry.writerIndex();
        while (i < end) {
          byte b = carry.getByte(i);
          if (lines) {
            i++;
            if (b == '\n') {
              out = emit(out, eventStart, i);
              eventStart = i;
            }
            continue;
          }
          if (b == '\n' && afterCr) {
            // the second half of a CRLF line end
            afterCr = false;
            i++;
            if (crEndedEvent) {
              crEndedEvent = false;
              out = emit(out, eventStart, i);
              eventStart = i;
            }
            continue;
          }
          afterCr = false;
          crEndedEvent = false;
          if (b == '\r' || b == '\n') {
            i++;
            afterCr = b == '\r';
            if (atLineStart) {
              // a blank line: the event ends here (a CR alone ends a line, so at once)
              out = emit(out, eventStart, i);
              eventStart = i;
              crEndedEvent = afterCr;
            } else {
              atLineStart = true;
            }
          } else {
            atLineStart = false;
            i++;
          }
        }
        carry.readerIndex(eventStart);
        scanned = end - eventStart;
        if (last) {
          if (carry.isReadable()) {
            out = emit(out, carry.readerIndex(), carry.writerIndex());
          }
          release();
          if (transform.hasEnd()) {
            out = concat(alloc, out, call(transform.onEnd(), Unpooled.EMPTY_BUFFER, alloc));
          }
        } else {
          if (scanned > MAX_EVENT_BYTES) {
            throw new BodyLimitExceeded(
                "an event of the response exceeds " + MAX_EVENT_BYTES + " bytes");
          }
          carry.discardReadComponents();
        }
        return out;
      } catch (RuntimeException | Error e) {
        out.release();
        throw e;
      }
    }

    /**
     * Passes bytes [from, to) of the carry, one event, through the step; appends the result. The
     * event is a copy, so what the step returns stays valid when the carry drops its components.
     */
    private ByteBuf emit(ByteBuf out, int from, int to) {
      CompositeByteBuf scanned =
          Objects.requireNonNull(carry, "events are emitted from the carry being scanned");
      ByteBuf event = alloc.buffer(to - from);
      scanned.getBytes(from, event, to - from);
      ByteBuf result = onlyLineEnds(event) ? event : call(transform.step(), event, alloc);
      return concat(alloc, out, result);
    }

    private static boolean onlyLineEnds(ByteBuf event) {
      for (int i = event.readerIndex(); i < event.writerIndex(); i++) {
        byte b = event.getByte(i);
        if (b != '\r' && b != '\n') {
          return false;
        }
      }
      return true;
    }

    private void release() {
      if (carry != null) {
        carry.release();
        carry = null;
      }
    }

    @Override
    public void discard() {
      release();
    }
  }

  /**
   * Holds the whole body, up to the transform's cap, and passes it through the step at the end.
   * Past the cap it fails, or, when the transform passes when too large, sends what it held and
   * everything after it untransformed.
   */
  private static final class WholeStage implements Stage {
    private final BodyTransform transform;
    private final ByteBufAllocator alloc;
    private @Nullable CompositeByteBuf body;
    private boolean passing;

    WholeStage(BodyTransform transform, ByteBufAllocator alloc) {
      this.transform = transform;
      this.alloc = alloc;
    }

    @Override
    public ByteBuf apply(ByteBuf input, boolean last) {
      if (passing) {
        return input;
      }
      if (body == null) {
        body = alloc.compositeBuffer(1024);
      }
      if ((long) body.readableBytes() + input.readableBytes() > transform.maxBytes()) {
        if (transform.passesWhenTooLarge()) {
          passing = true;
          CompositeByteBuf held = body;
          body = null;
          return concat(alloc, held, input);
        }
        input.release();
        throw new BodyLimitExceeded(
            "the response body exceeds the " + transform.maxBytes() + " bytes a plugin accepts");
      }
      body.addComponent(true, input);
      if (!last) {
        return Unpooled.EMPTY_BUFFER;
      }
      CompositeByteBuf all = body;
      body = null;
      ByteBuf out = call(transform.step(), all, alloc);
      if (transform.hasEnd()) {
        out = concat(alloc, out, call(transform.onEnd(), Unpooled.EMPTY_BUFFER, alloc));
      }
      return out;
    }

    @Override
    public void discard() {
      if (body != null) {
        body.release();
        body = null;
      }
    }
  }
}
