package io.portico.spi.plugin;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The headers every answer the gateway makes itself carries, whoever makes it: the proxy's problems
 * (no route, timeouts, limits, a plugin's {@link Reply}), the AI gateway's errors and a plugin that
 * turns an upstream's answer into one of its own (a gRPC status into a problem). Today one header:
 * {@code X-Content-Type-Options: nosniff}, so that no browser reads a problem body, a CORS
 * preflight's empty answer or a redirect's body as a script or a style sheet.
 *
 * <p>Responses relayed from an upstream are left as the upstream sent them, as nginx and Envoy
 * leave them: {@link #mark} is called only on answers the gateway built. The name and value are
 * shared {@link AsciiString} constants, so marking an answer costs one header entry and no encoding
 * (HTTP/1.1 writes their bytes as they are; HTTP/2 needs lower-case names, which they are).
 */
public final class GatewayAnswerHeaders {

  /** {@code x-content-type-options}. */
  public static final AsciiString X_CONTENT_TYPE_OPTIONS =
      AsciiString.cached("x-content-type-options");

  /** {@code nosniff}. */
  public static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

  private GatewayAnswerHeaders() {}

  /** Adds the gateway's own answer headers to {@code headers}, replacing any of the same name. */
  public static void mark(HttpHeaders headers) {
    headers.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
  }
}
