package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.portico.plugin.PluginChain;
import io.portico.traffic.RouteTraffic;
import io.portico.upstream.Endpoint;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway writes into a request head it sends upstream: the forwarding headers of its
 * {@code ForwardingPolicy} ({@code X-Forwarded-*}, {@code Forwarded}, {@code Via}; in the head's
 * map, or encoded once per connection beside it when only the encoder reads the head), the request
 * id, no gateway session cookie ({@link GatewayCookies}), the forwarded path, HTTP/1.1, and per
 * attempt the {@code Host} for the endpoint (the client's when the route preserves it, else the
 * service's, else the endpoint's). The client's hop-by-hop and identity headers went when the
 * exchange was routed, before any plugin ran.
 *
 * <p>Stateless; called on the exchange's event loop, on heads the exchange owns.
 */
final class UpstreamHead {

  private UpstreamHead() {}

  /**
   * Rewrites {@code x}'s request head in place as it goes upstream: forwarding headers in, the new
   * URI, HTTP/1.1 (a body-less HTTP/1.0 request gets {@code Content-Length: 0}).
   *
   * @return whether a request plugin set the {@code Host}, which every attempt then keeps
   */
  static boolean prepare(ExchangeView x) {
    HttpRequest request = x.request;
    HttpHeaders h = request.headers();
    byte[] encoded = encodedForwarding(x, h);
    if (encoded != null) {
      ClientCodec.Request decoded = (ClientCodec.Request) request;
      decoded.encodedFields(encoded);
      AsciiString idHeader = x.snapshot.forwarding().requestIdHeader();
      if (x.idGenerated) {
        // the client's own field goes, as the map's set would replace it
        h.remove(idHeader);
        decoded.encodedRequestId(idHeader, x.idHigh, x.idLow);
      } else {
        h.set(idHeader, x.requestId());
      }
    } else {
      forwarding(x, h);
    }
    GatewayCookies.strip(h);
    request.setUri(Objects.requireNonNull(x.forwardPath, "the exchange is routed"));
    if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (!h.contains(HttpHeaderNames.CONTENT_LENGTH)
          && !HttpUtil.isTransferEncodingChunked(request)) {
        h.set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
      }
    }
    String current = h.get(HttpHeaderNames.HOST);
    return current != null && !current.equals(x.originalHost);
  }

  /**
   * Sets the {@code Host} of an attempt's head for {@code endpoint}: in the head's map, or, for a
   * head whose forwarding fields are encoded ({@link #prepare}), as its encoded {@code Host} line,
   * with the client's field removed from the map.
   */
  static void host(ExchangeView x, HttpRequest head, Endpoint endpoint) {
    String host;
    if (x.routed().config().preserveHost() && x.originalHost != null) {
      host = x.originalHost;
    } else {
      String hostHeader = x.upstreamService().hostHeader();
      host = hostHeader != null ? hostHeader : endpoint.authority();
    }
    if (head instanceof ClientCodec.Request decoded && decoded.encodedFields() != null) {
      head.headers().remove(HttpHeaderNames.HOST);
      decoded.encodedHost(host);
    } else {
      head.headers().set(HttpHeaderNames.HOST, host);
    }
  }

  /**
   * An aggregate backend's head: the forwarding headers, the request id and the identity headers
   * the exchange's plugins set on the client's request.
   */
  static void forBackend(ExchangeView x, HttpRequest head) {
    HttpHeaders h = head.headers();
    forwarding(x, h);
    List<AsciiString> identityHeaders = x.snapshot.identityHeaders();
    HttpHeaders client = x.request.headers();
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      List<String> values = client.getAll(identityHeaders.get(i));
      if (!values.isEmpty()) {
        h.set(identityHeaders.get(i), values);
      }
    }
  }

  /**
   * The forwarding fields of {@code x}'s head encoded once per connection ({@code
   * ForwardingPolicy.encodedForUntrusted}), for a head that only the HTTP/1.1 encoder reads from
   * now on: a request of a client connection that is not a trusted proxy, decoded by a {@link
   * ClientCodec}, on a route without plugins (none reads or changes the head later), without a
   * trace, gRPC call, mirror or upgrade, to a service spoken to in HTTP/1.1. Null otherwise: the
   * fields then go into the head's map. An observer that reads the record's request headers gets
   * them in the map too ({@link #completeForwarding}).
   */
  private static byte @Nullable [] encodedForwarding(ExchangeView x, HttpHeaders h) {
    RouteTraffic traffic = x.routed().traffic();
    if (x.peerTrusted
        || !(x.request instanceof ClientCodec.Request)
        || x.routed().chain() != PluginChain.EMPTY
        || x.trace != null
        || x.grpc != null
        || (traffic != null && traffic.mirror() != null)
        || x.upstreamService().protocol().http2()
        || h.contains(HttpHeaderNames.UPGRADE)) {
      return null;
    }
    return x.snapshot.forwarding().encodedForUntrusted(h, x.conn.facts(), x.originalHost);
  }

  /**
   * Puts the fields that {@code x}'s head carried encoded ({@link #prepare}, {@link #host}: the
   * request id, the last attempt's {@code Host}, the forwarding fields) into its map, for a reader
   * of the map once the head went upstream; a head without them is left alone.
   */
  static void completeForwarding(ExchangeView x) {
    if (x.request instanceof ClientCodec.Request request && request.encodedFields() != null) {
      CharSequence host = request.encodedHost();
      request.encodedFields(null);
      HttpHeaders h = request.headers();
      if (x.idGenerated) {
        h.set(x.snapshot.forwarding().requestIdHeader(), x.requestId());
      }
      if (host != null) {
        h.set(HttpHeaderNames.HOST, host);
      }
      x.snapshot
          .forwarding()
          .apply(request.headers(), x.peerTrusted, x.conn.facts(), x.originalHost);
    }
  }

  private static void forwarding(ExchangeView x, HttpHeaders h) {
    x.snapshot.forwarding().apply(h, x.peerTrusted, x.conn.facts(), x.originalHost);
    h.set(x.snapshot.forwarding().requestIdHeader(), x.requestId());
  }
}
