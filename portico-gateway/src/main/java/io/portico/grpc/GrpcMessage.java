package io.portico.grpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} trailer's encoding: UTF-8, with every byte outside printable ASCII and
 * {@code %} itself percent-encoded, so any text survives an HTTP/2 header.
 */
public final class GrpcMessage {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private GrpcMessage() {}

  /** The text percent-encoded for a {@code grpc-message} header. */
  public static String encode(String text) {
    boolean plain = true;
    for (int i = 0; i < text.length() && plain; i++) {
      char c = text.charAt(i);
      plain = c >= 0x20 && c <= 0x7E && c != '%';
    }
    if (plain) {
      return text;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int v = b & 0xFF;
      if (v >= 0x20 && v <= 0x7E && v != '%') {
        out.append((char) v);
      } else {
        out.append('%').append(HEX[v >> 4]).append(HEX[v & 0xF]);
      }
    }
    return out.toString();
  }

  /**
   * The text of a {@code grpc-message} header. A {@code %} not followed by two hex digits is kept
   * as it is, as the specification asks of receivers.
   */
  public static String decode(CharSequence value) {
    String text = value.toString();
    if (text.indexOf('%') < 0) {
      return text;
    }
    byte[] in = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%'
          && i + 2 < in.length
          && hex((char) in[i + 1]) >= 0
          && hex((char) in[i + 2]) >= 0) {
        out.write(hex((char) in[i + 1]) << 4 | hex((char) in[i + 2]));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
