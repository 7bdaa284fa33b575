package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.portico.spi.plugin.BodyTransform;
import java.util.List;

/**
 * The response body stage of one exchange: the {@link BodyTransform}s its plugins chose, applied in
 * order to the body on its way from the upstream to the client. Exists only for an exchange whose
 * plugins asked for a transform; every other response streams untouched.
 *
 * <pre>
 *   upstream chunk ─▶ stage 1 ─▶ stage 2 ─▶ ... ─▶ bytes for the client (maybe none yet)
 * </pre>
 *
 * <p>A {@link BodyTransform.Mode#CHUNKS} stage passes each chunk through its step; an {@link
 * BodyTransform.Mode#EVENTS} stage cuts its input into server-sent events and passes each complete
 * one; a {@link BodyTransform.Mode#WHOLE} stage holds its input up to its cap and passes it all at
 * the end. Once a whole stage is in the pipeline, nothing reaches the client before the body ends
 * ({@link #holdsWholeBody}), so the exchange can send an exact {@code Content-Length}.
 *
 * <p>Buffers: {@link #feed} takes ownership of its input and returns a buffer the caller owns;
 * stages hold partial events and whole bodies until the end or {@link #discard}, which releases
 * them. A step that throws, or a body over a limit ({@link BodyLimitExceeded}), leaves the pipeline
 * to be discarded.
 *
 * <p>Confined to the exchange's event loop.
 */
final class ResponseBodyPipeline {

  /** The most bytes one server-sent event may have before it is refused. */
  static final int MAX_EVENT_BYTES = 1024 * 1024;

  /** A whole body or one event is larger than its limit. */
  static final class BodyLimitExceeded extends RuntimeException {
    BodyLimitExceeded(String message) {
      super(message, null, false, false);
    }
  }

  private final Stage[] stages;
  private final boolean holdsWholeBody;

  private ResponseBodyPipeline(Stage[] stages, boolean holdsWholeBody) {
    this.stages = stages;
    this.holdsWholeBody = holdsWholeBody;
  }

  static ResponseBodyPipeline of(List<BodyTransform> transforms, ByteBufAllocator alloc) {
    Stage[] stages = new Stage[transforms.size()];
    boolean whole = false;
    for (int i = 0; i < stages.length; i++) {
      BodyTransform t = transforms.get(i);
      stages[i] =
          switch (t.mode()) {
            case CHUNKS -> new ChunkStage(t, alloc);
            case EVENTS -> new EventStage(t, alloc);
            case WHOLE -> new WholeStage(t, alloc);
          };
      whole |= t.mode() == BodyTransform.Mode.WHOLE;
    }
    return new ResponseBodyPipeline(stages, whole);
  }

  /** Whether the pipeline emits nothing before the body ends (it has a whole-body stage). */
  boolean holdsWholeBody() {
    return holdsWholeBody;
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
    return data;
  }

  /** Releases whatever the stages hold (the exchange ended before the body did). */
  void discard() {
    for (Stage stage : stages) {
      stage.discard();
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

  /**
   * Cuts its input into server-sent events: an event ends with a blank line (two line ends in a
   * row; a line ends with CRLF, LF or CR). Each complete event goes through the step; a partial one
   * waits for the next input, up to {@link #MAX_EVENT_BYTES}. At the end a partial event is passed
   * as it is.
   */
  private static final class EventStage implements Stage {
    private final BodyTransform transform;
    private final ByteBufAllocator alloc;
    private CompositeByteBuf carry;
    private int scanned; // bytes of carry already scanned
    private boolean atLineStart = true;
    private boolean pendingCr; // carry ends with a CR that may be the first half of CRLF
    private boolean crEndedEvent; // a CR ended the last event; an LF right after it is its pair

    EventStage(BodyTransform transform, ByteBufAllocator alloc) {
      this.transform = transform;
      this.alloc = alloc;
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
          if (crEndedEvent) {
            crEndedEvent = false;
            if (b == '\n') {
              i++;
              out = emit(out, eventStart, i);
              eventStart = i;
              continue;
            }
          }
          if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
              i++;
              if (atLineStart) {
                out = emit(out, eventStart, i);
                eventStart = i;
              } else {
                atLineStart = true;
              }
              continue;
            }
            // a lone CR ended the line
            if (atLineStart) {
              out = emit(out, eventStart, i);
              eventStart = i;
            } else {
              atLineStart = true;
            }
            continue;
          }
          if (b == '\r') {
            i++;
            if (atLineStart) {
              // A blank line: the event ends at its CR, without waiting to see whether LF follows.
              out = emit(out, eventStart, i);
              eventStart = i;
              crEndedEvent = true;
            } else {
              pendingCr = true;
            }
          } else if (b == '\n') {
            i++;
            if (atLineStart) {
              out = emit(out, eventStart, i);
              eventStart = i;
            } else {
              atLineStart = true;
            }
          } else {
            atLineStart = false;
            i++;
          }
        }
        if (pendingCr && last) {
          pendingCr = false;
          if (atLineStart) {
            out = emit(out, eventStart, end);
            eventStart = end;
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
      ByteBuf event = alloc.buffer(to - from);
      carry.getBytes(from, event, to - from);
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

  /** Holds the whole body, up to the transform's cap, and passes it through the step at the end. */
  private static final class WholeStage implements Stage {
    private final BodyTransform transform;
    private final ByteBufAllocator alloc;
    private CompositeByteBuf body;

    WholeStage(BodyTransform transform, ByteBufAllocator alloc) {
      this.transform = transform;
      this.alloc = alloc;
    }

    @Override
    public ByteBuf apply(ByteBuf input, boolean last) {
      if (body == null) {
        body = alloc.compositeBuffer(1024);
      }
      if ((long) body.readableBytes() + input.readableBytes() > transform.maxBytes()) {
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
