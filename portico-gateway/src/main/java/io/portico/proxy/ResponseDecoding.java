package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.compression.Decompressor;
import io.netty.handler.codec.compression.JdkZlibDecompressor;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.LimitsConfig;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Inflates an upstream's {@code gzip} or {@code deflate} response body for the plugins that
 * transform it: the first stage of a {@link ResponseBodyPipeline} when the response was encoded.
 * Only made when a plugin returned a transform; every other encoded response streams untouched.
 *
 * <p>Decompression bombs are stopped as they inflate: output is taken from Netty's {@link
 * Decompressor} in pieces of at most {@link #PIECE} bytes and counted before the next piece, so the
 * decoded body never exceeds {@code limits.max-decoded-response-size}, nor (once {@link
 * LimitsConfig#RATIO_FLOOR} bytes are out) {@code limits.max-decoding-ratio} times the encoded
 * bytes, by more than one piece. Either limit is {@link ResponseBodyPipeline.BodyLimitExceeded}
 * (502 {@code upstream_response_too_large}); a corrupt stream is {@link Corrupt} (502 {@code
 * upstream_body_invalid}).
 *
 * <p>Buffers: {@link #decode} takes ownership of its input and returns the decoded bytes, owned by
 * the caller; {@link #close} releases what the decompressor still holds. Confined to the exchange's
 * event loop.
 */
final class ResponseDecoding {

  /** The most bytes one piece of output may have. */
  static final int PIECE = 64 * 1024;

  /** The upstream's encoded body cannot be inflated. */
  static final class Corrupt extends RuntimeException {
    Corrupt(String message) {
      super(message, null, false, false);
    }
  }

  private final Decompressor decompressor;
  private final ByteBufAllocator alloc;
  private final long maxDecoded;
  private final int maxRatio;
  private long encoded;
  private long decoded;
  private boolean closed;

  private ResponseDecoding(
      Decompressor decompressor, ByteBufAllocator alloc, long maxDecoded, int maxRatio) {
    this.decompressor = decompressor;
    this.alloc = alloc;
    this.maxDecoded = maxDecoded;
    this.maxRatio = maxRatio;
  }

  /**
   * A decoder for the response whose headers are {@code headers}, or null when its body is not in a
   * coding the gateway inflates ({@code gzip}, {@code x-gzip}, {@code deflate}, alone). When one is
   * returned, {@code Content-Encoding} has been removed from the headers.
   */
  static @Nullable ResponseDecoding forResponse(
      HttpHeaders headers, LimitsConfig limits, ByteBufAllocator alloc) {
    List<String> codings = headers.getAll(HttpHeaderNames.CONTENT_ENCODING);
    if (codings.size() != 1) {
      // none, or one coding per header line: a chain, as "gzip, gzip" in one line is
      return null;
    }
    String coding = codings.get(0);
    ZlibWrapper wrapper =
        switch (coding.trim().toLowerCase(Locale.ROOT)) {
          case "gzip", "x-gzip" -> ZlibWrapper.GZIP;
          // RFC 9110 says zlib; some servers send raw deflate: Netty tells them apart.
          case "deflate" -> ZlibWrapper.ZLIB_OR_NONE;
          default -> null;
        };
    if (wrapper == null) {
      return null;
    }
    headers.remove(HttpHeaderNames.CONTENT_ENCODING);
    // A gzip body may be several members one after another (RFC 1952): all of them are the body.
    Decompressor d =
        JdkZlibDecompressor.builder()
            .wrapper(wrapper)
            .decompressConcatenated(wrapper == ZlibWrapper.GZIP)
            .maxAllocation(PIECE)
            .build(alloc);
    return new ResponseDecoding(
        d, alloc, limits.maxDecodedResponseSize(), limits.maxDecodingRatio());
  }

  /** Inflates {@code input} (owned from here); at {@code last}, checks the stream ended. */
  ByteBuf decode(ByteBuf input, boolean last) {
    encoded += input.readableBytes();
    CompositeByteBuf out = null;
    try {
      if (decompressor.status() == Decompressor.Status.COMPLETE) {
        // Bytes after the end of the compressed stream: not part of the body.
        boolean trailingGarbage = input.isReadable();
        input.release();
        if (trailingGarbage) {
          throw new Corrupt("the upstream sent bytes after the end of its encoded body");
        }
      } else {
        // held until the output is drained: bytes the decompressor left after the end are garbage
        input.retain();
        try {
          decompressor.addInput(input);
          out = drain(out);
          if (decompressor.status() == Decompressor.Status.COMPLETE && input.isReadable()) {
            release(out);
            out = null;
            throw new Corrupt("the upstream sent bytes after the end of its encoded body");
          }
        } finally {
          input.release();
        }
      }
      if (last && decompressor.status() == Decompressor.Status.NEED_INPUT) {
        try {
          decompressor.endOfInput();
        } catch (RuntimeException e) {
          release(out);
          throw e;
        }
        out = drain(out);
      }
    } catch (DecompressionException e) {
      throw new Corrupt("the upstream's encoded body is corrupt: " + e.getMessage());
    }
    return out == null ? Unpooled.EMPTY_BUFFER : out;
  }

  /** Takes every piece of output there is, into {@code out} (released on failure). */
  private @Nullable CompositeByteBuf drain(@Nullable CompositeByteBuf out) {
    try {
      while (decompressor.status() == Decompressor.Status.NEED_OUTPUT) {
        ByteBuf piece = decompressor.takeOutput();
        decoded += piece.readableBytes();
        if (out == null) {
          out = alloc.compositeBuffer(16);
        }
        out.addComponent(true, piece);
        checkLimits();
      }
      return out;
    } catch (RuntimeException | Error e) {
      release(out);
      throw e;
    }
  }

  private void checkLimits() {
    if (decoded > maxDecoded) {
      throw new ResponseBodyPipeline.BodyLimitExceeded(
          "the upstream's encoded body inflates beyond " + maxDecoded + " bytes");
    }
    if (maxRatio > 0 && decoded > LimitsConfig.RATIO_FLOOR && decoded > encoded * maxRatio) {
      throw new ResponseBodyPipeline.BodyLimitExceeded(
          "the upstream's encoded body inflates more than " + maxRatio + " times");
    }
  }

  private static void release(@Nullable ByteBuf buf) {
    if (buf != null) {
      buf.release();
    }
  }

  /** Releases what the decompressor holds; idempotent. */
  void close() {
    if (!closed) {
      closed = true;
      decompressor.close();
    }
  }
}
