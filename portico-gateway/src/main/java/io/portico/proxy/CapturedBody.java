package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.observe.ExchangeRecord;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The start of one body kept for the access log: bytes are copied out of each chunk as it passes
 * (the chunk itself is neither retained nor delayed) until {@code maxSize} are held; the rest is
 * only noted as truncated. The array grows with what arrives, so a short body holds a short array.
 * Event loop only.
 */
final class CapturedBody {

  private static final int FIRST = 256;

  private final String contentType;
  private final int maxSize;
  private byte @Nullable [] bytes;
  private int length;
  private boolean truncated;

  private CapturedBody(String contentType, int maxSize) {
    this.contentType = contentType;
    this.maxSize = maxSize;
  }

  /**
   * A capture for a body with {@code headers}, or null when {@code capture} does not take it: not a
   * textual content type, or an encoded body ({@code Content-Encoding} other than identity), whose
   * bytes would not be text.
   */
  static @Nullable CapturedBody of(AccessLogConfig.BodyCapture capture, HttpHeaders headers) {
    String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
    if (!capture.captures(type)) {
      return null;
    }
    String coding = headers.get(HttpHeaderNames.CONTENT_ENCODING);
    if (coding != null && !HttpHeaderValues.IDENTITY.contentEqualsIgnoreCase(coding.trim())) {
      return null;
    }
    return new CapturedBody(type, capture.maxSize());
  }

  /** Copies what still fits of {@code chunk}'s readable bytes; the chunk is left as it was. */
  void add(ByteBuf chunk) {
    int n = chunk.readableBytes();
    if (n == 0) {
      return;
    }
    int take = Math.min(n, maxSize - length);
    if (take < n) {
      truncated = true;
    }
    if (take <= 0) {
      return;
    }
    int need = length + take;
    if (bytes == null) {
      bytes = new byte[Math.min(maxSize, Math.max(FIRST, need))];
    } else if (need > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.min(maxSize, Math.max(need, bytes.length * 2)));
    }
    chunk.getBytes(chunk.readerIndex(), bytes, length, take);
    length = need;
  }

  /** What was captured, for the exchange's record; null when the body was empty. */
  ExchangeRecord.@Nullable Body body() {
    byte[] held = bytes;
    if (length == 0 || held == null) {
      return null;
    }
    return new ExchangeRecord.Body(
        contentType, length == held.length ? held : Arrays.copyOf(held, length), truncated);
  }
}
