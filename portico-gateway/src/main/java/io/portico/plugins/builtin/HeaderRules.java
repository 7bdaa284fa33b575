package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import io.portico.template.Encodings;
import java.util.List;

/** Checks on header names and values written by plugins, shared by every header-writing plugin. */
final class HeaderRules {

  /** The request id header the gateway forwards upstream. */
  static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

  static final String NAME_RULE = Encodings.HEADER_NAME_RULE;

  static final String VALUE_RULE = Encodings.HEADER_VALUE_RULE;

  /** Hop-by-hop and framing headers: the gateway owns them, plugins may not write them. */
  private static final List<AsciiString> MANAGED =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.CONTENT_LENGTH,
          AsciiString.cached("keep-alive"),
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE);

  static final String MANAGED_RULE =
      "a header the gateway does not manage: not Connection, Content-Length, Keep-Alive,"
          + " Proxy-Connection, TE, Trailer, Transfer-Encoding or Upgrade";

  private HeaderRules() {}

  /** Whether {@code name} is an RFC 9110 token. */
  static boolean isToken(String name) {
    return Encodings.isToken(name);
  }

  /** Whether the gateway owns the header (hop-by-hop or framing). */
  static boolean isManaged(CharSequence name) {
    for (AsciiString managed : MANAGED) {
      if (managed.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a configured value holds only printable ASCII, spaces and tabs. */
  static boolean isPrintable(String value) {
    return Encodings.isHeaderSafe(value);
  }
}
