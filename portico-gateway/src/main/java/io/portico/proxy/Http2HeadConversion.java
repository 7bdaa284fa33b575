package io.portico.proxy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * The heads of a client's HTTP/2 stream converted to and from the HTTP/1.1 objects the exchange
 * reads and writes, the way Netty's {@link HttpConversionUtil} converts them, without the objects
 * it makes for every head only to drop them: on the way in, its translator and the {@code
 * x-http2-*} fields it adds ({@code x-http2-scheme}, {@code x-http2-stream-id}), which the gateway
 * removed again; on the way out, the map of the {@code Connection} field's tokens, made for every
 * head and trailer block even without that field, and a copy of each name already in lower case.
 *
 * <p>A head this conversion does not cover goes to Netty's, with the same result: a request with a
 * {@code cookie} (joined into one field), {@code host} (checked against {@code :authority} before),
 * {@code trailer} or {@code x-http2-*} field, or a pseudo-header other than {@code :method}, {@code
 * :path}, {@code :scheme} and {@code :authority}; a response or trailers with a {@code Connection}
 * (its tokens dropped), {@code TE} or {@code Cookie} field. Values are validated by the HTTP/1.1
 * map as in Netty's conversion, a bad one failing the stream with {@code PROTOCOL_ERROR}.
 * Stateless.
 */
final class Http2HeadConversion {

  /** The fields Netty's conversion adds for HTTP/2 ({@code x-http2-*}), removed again; one copy. */
  private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSION_NAMES =
      HttpConversionUtil.ExtensionHeaderNames.values();

  private static final String EXTENSION_PREFIX = "x-http2-";

  /** The methods looked up without making a string of the name. */
  private static final HttpMethod[] COMMON_METHODS = {
    HttpMethod.POST,
    HttpMethod.GET,
    HttpMethod.PUT,
    HttpMethod.DELETE,
    HttpMethod.PATCH,
    HttpMethod.HEAD,
    HttpMethod.OPTIONS
  };

  /** Response fields that do not go to an HTTP/2 client, by lower-case name. */
  @SuppressWarnings("deprecation")
  private static final AsciiString[] NOT_SENT = {
    HttpHeaderNames.CONNECTION,
    HttpHeaderNames.KEEP_ALIVE,
    HttpHeaderNames.PROXY_CONNECTION,
    HttpHeaderNames.TRANSFER_ENCODING,
    HttpHeaderNames.HOST,
    HttpHeaderNames.UPGRADE,
    HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(),
    HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(),
    HttpConversionUtil.ExtensionHeaderNames.PATH.text()
  };

  private Http2HeadConversion() {}

  /**
   * The request of a stream's head, which {@link Http2RequestHeadCheck} found well-formed: method,
   * {@code :path} as the request target, {@code :authority} as {@code Host}, the other fields as
   * they are; no {@code x-http2-*} field.
   */
  static HttpRequest request(int id, Http2Headers headers) throws Http2Exception {
    CharSequence method = headers.method();
    CharSequence path = headers.path();
    if (method == null || path == null) {
      return nettyRequest(id, headers);
    }
    try {
      HttpRequest request =
          new DefaultHttpRequest(
              HttpVersion.HTTP_1_1,
              method(method),
              path.toString(),
              DefaultHttpHeadersFactory.headersFactory());
      HttpHeaders out = request.headers();
      CharSequence authority = headers.authority();
      if (authority != null) {
        out.add(HttpHeaderNames.HOST, authority);
      }
      // one walk: each field is checked as it is copied; the first Netty's conversion would treat
      // otherwise sends the whole head to it, the fields copied so far dropped with the request
      for (Map.Entry<CharSequence, CharSequence> field : headers) {
        CharSequence name = field.getKey();
        if (name.length() == 0) {
          return nettyRequest(id, headers);
        }
        if (name.charAt(0) == ':') {
          if (!plainPseudoHeader(name)) {
            return nettyRequest(id, headers);
          }
        } else if (convertedByNetty(name)) {
          return nettyRequest(id, headers);
        } else {
          out.add(name, field.getValue());
        }
      }
      return request;
    } catch (RuntimeException e) {
      throw Http2Exception.streamError(
          id, Http2Error.PROTOCOL_ERROR, e, "HTTP/2 to HTTP/1.x headers conversion error");
    }
  }

  private static HttpRequest nettyRequest(int id, Http2Headers headers) throws Http2Exception {
    HttpRequest request = HttpConversionUtil.toHttpRequest(id, headers, true);
    HttpHeaders fields = request.headers();
    for (HttpConversionUtil.ExtensionHeaderNames name : EXTENSION_NAMES) {
      fields.remove(name.text());
    }
    return request;
  }

  /** Whether a pseudo-header is one the conversion covers: method, path, scheme, authority. */
  private static boolean plainPseudoHeader(CharSequence name) {
    return Http2Headers.PseudoHeaderName.METHOD.value().contentEquals(name)
        || Http2Headers.PseudoHeaderName.PATH.value().contentEquals(name)
        || Http2Headers.PseudoHeaderName.SCHEME.value().contentEquals(name)
        || Http2Headers.PseudoHeaderName.AUTHORITY.value().contentEquals(name);
  }

  /**
   * Whether Netty's conversion would do more with a regular field than copy it as it is: join
   * ({@code cookie}), check ({@code host}), drop or refuse it ({@code trailer}, {@code
   * transfer-encoding}, {@code connection}, {@code x-http2-*}).
   */
  private static boolean convertedByNetty(CharSequence name) {
    return HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
        || HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)
        || AsciiString.regionMatches(name, true, 0, EXTENSION_PREFIX, 0, EXTENSION_PREFIX.length());
  }

  /** The method of {@code name}: a common one's constant, else Netty's lookup. */
  static HttpMethod method(CharSequence name) {
    for (HttpMethod m : COMMON_METHODS) {
      if (m.asciiName().contentEquals(name)) {
        return m;
      }
    }
    return HttpMethod.valueOf(name.toString());
  }

  /** A response head as the HEADERS of an HTTP/2 stream. */
  static Http2Headers response(HttpResponse response) {
    HttpHeaders in = response.headers();
    if (!plainResponse(in)) {
      return HttpConversionUtil.toHttp2Headers(response, true);
    }
    Http2Headers out = new DefaultHttp2Headers(true, in.size() + 1);
    out.status(response.status().codeAsText());
    copy(in, out);
    return out;
  }

  /** Trailers as the closing HEADERS of an HTTP/2 stream. */
  static Http2Headers trailers(HttpHeaders trailers) {
    if (!plainResponse(trailers)) {
      return HttpConversionUtil.toHttp2Headers(trailers, true);
    }
    Http2Headers out = new DefaultHttp2Headers(true, trailers.size());
    copy(trailers, out);
    return out;
  }

  private static void copy(HttpHeaders in, Http2Headers out) {
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence();
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      AsciiString name = lowerCase(field.getKey());
      if (!notSent(name)) {
        out.add(name, field.getValue());
      }
    }
  }

  /**
   * Whether Netty's conversion would send every field of {@code headers} but the ones it never
   * sends, each under its lower-case name: no {@code Connection} (whose tokens it drops too),
   * {@code TE} (filtered) or {@code Cookie} (split) field.
   */
  private static boolean plainResponse(HttpHeaders headers) {
    if (headers.isEmpty()) {
      return true;
    }
    return !headers.contains(HttpHeaderNames.CONNECTION)
        && !headers.contains(HttpHeaderNames.TE)
        && !headers.contains(HttpHeaderNames.COOKIE);
  }

  private static boolean notSent(AsciiString name) {
    for (AsciiString n : NOT_SENT) {
      if (n.contentEquals(name)) {
        return true;
      }
    }
    return false;
  }

  /** {@code name} in lower case: itself when it is an {@link AsciiString} in lower case already. */
  private static AsciiString lowerCase(CharSequence name) {
    return AsciiString.of(name).toLowerCase();
  }
}
