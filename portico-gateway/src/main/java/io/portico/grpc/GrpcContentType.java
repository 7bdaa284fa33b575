package io.portico.grpc;

import org.jspecify.annotations.Nullable;

/** Which of gRPC's wire forms a {@code Content-Type} names. */
public enum GrpcContentType {
  /** Not gRPC. */
  NONE,
  /** {@code application/grpc} and {@code application/grpc+proto}, {@code +json} and others. */
  GRPC,
  /** {@code application/grpc-web} (binary frames, trailers in the body). */
  GRPC_WEB,
  /** {@code application/grpc-web-text} (the same, base64-encoded). */
  GRPC_WEB_TEXT;

  private static final String GRPC_PREFIX = "application/grpc";

  /** The form a {@code Content-Type} value names; parameters and case are ignored. */
  public static GrpcContentType of(@Nullable CharSequence contentType) {
    if (contentType == null || !startsWithIgnoreCase(contentType, GRPC_PREFIX)) {
      return NONE;
    }
    int at = GRPC_PREFIX.length();
    if (at == contentType.length()) {
      return GRPC;
    }
    char next = contentType.charAt(at);
    if (next == '+' || next == ';' || next == ' ') {
      return GRPC;
    }
    if (startsWithIgnoreCase(contentType.subSequence(at, contentType.length()), "-web-text")) {
      return GRPC_WEB_TEXT;
    }
    if (startsWithIgnoreCase(contentType.subSequence(at, contentType.length()), "-web")) {
      int end = at + "-web".length();
      if (end == contentType.length()) {
        return GRPC_WEB;
      }
      char after = contentType.charAt(end);
      return after == '+' || after == ';' || after == ' ' ? GRPC_WEB : NONE;
    }
    return NONE;
  }

  private static boolean startsWithIgnoreCase(CharSequence s, String prefix) {
    if (s.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (Character.toLowerCase(s.charAt(i)) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
