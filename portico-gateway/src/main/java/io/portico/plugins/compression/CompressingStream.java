package io.portico.plugins.compression;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * One response's compressor: the JDK's {@link GZIPOutputStream} ({@code gzip}) or {@link
 * DeflaterOutputStream} (zlib, HTTP's {@code deflate}) with sync flush, writing into the buffer of
 * the current step. Each chunk is compressed and flushed ({@code SYNC_FLUSH}), so what the client
 * has received always decodes; {@link #finish} writes the trailer and frees the deflater. Should
 * the exchange end before the body does, {@link #close} (the transform's close hook) frees the
 * deflater's native memory at once, not at garbage collection.
 *
 * <p>Confined to the exchange's event loop.
 */
final class CompressingStream {

  private final boolean gzip;
  private final int level;
  private final Sink sink = new Sink();
  private @Nullable DeflaterOutputStream out;
  private @Nullable Deflater deflater;
  private boolean closed;

  CompressingStream(boolean gzip, int level) {
    this.gzip = gzip;
    this.level = level;
  }

  /** A step: {@code input} compressed and flushed into a new buffer. */
  ByteBuf compress(ByteBuf input, ByteBufAllocator alloc) {
    ByteBuf target = alloc.buffer(input.readableBytes() / 2 + 64);
    sink.target = target;
    try {
      DeflaterOutputStream stream = open();
      input.readBytes(stream, input.readableBytes());
      stream.flush();
      return target;
    } catch (IOException e) {
      target.release();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      target.release();
      throw e;
    } finally {
      sink.target = null;
    }
  }

  /** The end step: the rest of the compressed stream and its trailer. */
  ByteBuf finish(ByteBuf ignored, ByteBufAllocator alloc) {
    ByteBuf target = alloc.buffer(64);
    sink.target = target;
    try {
      open().close();
      close();
      return target;
    } catch (IOException e) {
      target.release();
      throw new UncheckedIOException(e);
    } finally {
      sink.target = null;
    }
  }

  /**
   * Frees the deflater's native memory, whether or not the stream finished; idempotent. The
   * transform's close hook, run once when the exchange's body stage is over.
   */
  void close() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
    closed = true;
  }

  /** The compressing stream, made on the first step. */
  private DeflaterOutputStream open() throws IOException {
    if (closed) {
      throw new IllegalStateException("the compressor was closed");
    }
    DeflaterOutputStream stream = out;
    if (stream != null) {
      return stream;
    }
    if (gzip) {
      stream =
          new GZIPOutputStream(sink, 8192, true) {
            {
              def.setLevel(level);
              deflater = def;
            }
          };
    } else {
      Deflater made = new Deflater(level);
      deflater = made;
      stream = new DeflaterOutputStream(sink, made, 8192, true);
    }
    out = stream;
    return stream;
  }

  /** Writes into the current step's buffer. */
  private static final class Sink extends OutputStream {
    @Nullable ByteBuf target;

    @Override
    public void write(int b) {
      buffer().writeByte(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buffer().writeBytes(b, off, len);
    }

    private ByteBuf buffer() {
      ByteBuf t = target;
      if (t == null) {
        throw new IllegalStateException("written outside a compression step");
      }
      return t;
    }
  }
}
