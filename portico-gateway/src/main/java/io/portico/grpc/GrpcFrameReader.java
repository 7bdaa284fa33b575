package io.portico.grpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a gRPC body, arriving in chunks of any size, into its length-prefixed messages: one flag
 * byte (bit 0: compressed) and a four-byte big-endian length before each message.
 *
 * <p>A message that lies whole inside a chunk is handed on as a retained slice of it (no copy);
 * only a message split across chunks is gathered into a buffer of its own. The reader refuses, with
 * the status a gRPC peer expects, a length over the cap ({@code RESOURCE_EXHAUSTED}, checked from
 * the prefix alone, so nothing over the cap is ever buffered), a compressed message when no {@code
 * grpc-encoding} was agreed, reserved flag bits, and a stream that ends inside a message (its
 * prefix promised more than came) — all {@code INTERNAL}. After a refusal it refuses everything.
 *
 * <p>A caller that only checks a body it forwards anyway uses {@link #skim} instead of {@link
 * #feed}: the same refusals, read from the prefixes alone, and nothing held or copied between
 * chunks but a prefix split across them. One reader is fed or skimmed, never both.
 *
 * <p>Not thread-safe: one reader per stream, used on the stream's event loop. The caller keeps
 * ownership of the chunks it feeds; the sink owns (and must release) each message it gets. {@link
 * #close()} releases what a reader still holds.
 */
public final class GrpcFrameReader implements AutoCloseable {

  /** Bytes before each message: the flag and the length. */
  public static final int PREFIX_BYTES = 5;

  /** Receives each whole message; it owns the buffer. */
  @FunctionalInterface
  public interface Sink {
    void message(ByteBuf message, boolean compressed);
  }

  /**
   * Why a body was refused: the gRPC status to answer with and a message for {@code grpc-message}.
   */
  public record Failure(GrpcStatus status, String message) {}

  private final ByteBufAllocator alloc;
  private final int maxMessageBytes;
  private final boolean compressionAllowed;
  private @Nullable ByteBuf pending;
  private @Nullable Failure failure;
  private long messages;

  // skimming: the prefix bytes read so far (big-endian, the flag byte first), how many, and the
  // bytes of the current message still to pass
  private long prefix;
  private int prefixRead;
  private long skipping;
  private long promised;
  private int refusedAt = -1;

  /**
   * @param maxMessageBytes the largest message accepted
   * @param compressionAllowed whether the stream named a {@code grpc-encoding} other than identity
   */
  public GrpcFrameReader(ByteBufAllocator alloc, int maxMessageBytes, boolean compressionAllowed) {
    this.alloc = alloc;
    this.maxMessageBytes = maxMessageBytes;
    this.compressionAllowed = compressionAllowed;
  }

  /** Whole messages handed to sinks so far. */
  public long messages() {
    return messages;
  }

  /**
   * Reads the messages a chunk completes and hands each to the sink, in order.
   *
   * @return {@code null}, or why the body is refused (then nothing more is handed on)
   */
  public @Nullable Failure feed(ByteBuf chunk, Sink sink) {
    if (failure != null) {
      return failure;
    }
    if (!chunk.isReadable()) {
      return null;
    }
    ByteBuf held = pending;
    if (held == null) {
      ByteBuf view = chunk.duplicate();
      cut(view, sink);
      if (view.isReadable() && failure == null) {
        ByteBuf rest = alloc.buffer(Math.max(view.readableBytes(), PREFIX_BYTES));
        rest.writeBytes(view);
        pending = rest;
      }
    } else {
      held.ensureWritable(chunk.readableBytes());
      held.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
      cut(held, sink);
      if (!held.isReadable() || failure != null) {
        held.release();
        pending = null;
      } else {
        held.discardReadBytes();
      }
    }
    return failure;
  }

  /**
   * Checks the messages of a chunk without handing them on: each prefix is checked as {@link #feed}
   * checks it and the message's bytes are counted past, so nothing is held or copied.
   *
   * @return {@code null}, or why the body is refused
   */
  public @Nullable Failure skim(ByteBuf chunk) {
    if (failure != null) {
      return failure;
    }
    int at = chunk.readerIndex();
    int end = chunk.writerIndex();
    int prefixAt = prefixRead > 0 ? -1 : at;
    while (at < end) {
      if (skipping > 0) {
        int n = (int) Math.min(skipping, end - at);
        at += n;
        skipping -= n;
        if (skipping == 0) {
          messages++;
        }
        continue;
      }
      if (prefixRead == 0) {
        prefixAt = at;
      }
      prefix = prefix << 8 | chunk.getUnsignedByte(at++);
      if (++prefixRead < PREFIX_BYTES) {
        continue;
      }
      prefixRead = 0;
      long length = prefix & 0xFFFF_FFFFL;
      int flags = (int) (prefix >>> 32) & 0xFF;
      prefix = 0;
      failure = refusal(flags, length);
      if (failure != null) {
        refusedAt = prefixAt;
        return failure;
      }
      promised = length;
      skipping = length;
      if (length == 0) {
        messages++;
      }
    }
    return null;
  }

  /**
   * Where, in the chunk whose {@link #skim} refused a message, that message's prefix began: the
   * bytes before it are whole messages (or the rest of one) that passed. -1 when the prefix began
   * in an earlier chunk, or nothing was refused.
   */
  public int refusedAt() {
    return refusedAt;
  }

  /**
   * The end of the body.
   *
   * @return {@code null}, or the refusal of a body that ended inside a message
   */
  public @Nullable Failure end() {
    if (failure == null && (prefixRead > 0 || skipping > 0)) {
      failure =
          new Failure(
              GrpcStatus.INTERNAL,
              skipping == 0
                  ? "The body ended inside a message's length prefix."
                  : "The body ended inside a message: its prefix gave "
                      + promised
                      + " bytes, "
                      + (promised - skipping)
                      + " came.");
    }
    ByteBuf held = pending;
    if (failure == null && held != null && held.isReadable()) {
      failure =
          new Failure(
              GrpcStatus.INTERNAL,
              held.readableBytes() < PREFIX_BYTES
                  ? "The body ended inside a message's length prefix."
                  : "The body ended inside a message: its prefix gave "
                      + held.getUnsignedInt(held.readerIndex() + 1)
                      + " bytes, "
                      + (held.readableBytes() - PREFIX_BYTES)
                      + " came.");
    }
    close();
    return failure;
  }

  @Override
  public void close() {
    ByteBuf held = pending;
    pending = null;
    if (held != null) {
      held.release();
    }
  }

  private void cut(ByteBuf in, Sink sink) {
    while (in.readableBytes() >= PREFIX_BYTES) {
      int at = in.readerIndex();
      int flags = in.getUnsignedByte(at);
      long length = in.getUnsignedInt(at + 1);
      failure = refusal(flags, length);
      if (failure != null) {
        return;
      }
      boolean compressed = (flags & 1) != 0;
      if (in.readableBytes() < PREFIX_BYTES + length) {
        return;
      }
      in.skipBytes(PREFIX_BYTES);
      ByteBuf message = in.readRetainedSlice((int) length);
      messages++;
      sink.message(message, compressed);
    }
  }

  /** Why a message with this prefix is refused, or null when it is acceptable. */
  private @Nullable Failure refusal(int flags, long length) {
    if ((flags & ~1) != 0) {
      return new Failure(GrpcStatus.INTERNAL, "A message has reserved flag bits set.");
    }
    if ((flags & 1) != 0 && !compressionAllowed) {
      return new Failure(
          GrpcStatus.INTERNAL, "A message is compressed but the call named no grpc-encoding.");
    }
    if (length > maxMessageBytes) {
      return new Failure(
          GrpcStatus.RESOURCE_EXHAUSTED,
          "A message of " + length + " bytes exceeds the limit of " + maxMessageBytes + ".");
    }
    return null;
  }

  /** Writes a message's prefix (not compressed) to {@code out}. */
  public static void writePrefix(ByteBuf out, int length) {
    out.writeByte(0);
    out.writeInt(length);
  }
}
