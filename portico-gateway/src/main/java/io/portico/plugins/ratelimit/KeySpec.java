package io.portico.plugins.ratelimit;

import io.netty.util.NetUtil;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a limit counts by: one or more parts joined into one key. Parsed from words such as {@code
 * consumer}, {@code ip}, {@code header:X-Tenant} or {@code path:id}.
 *
 * <p>The client address is {@link Exchange#clientAddress()}, which the gateway resolves through its
 * trusted proxies only, so a client cannot rotate its key with a forged {@code X-Forwarded-For}.
 */
record KeySpec(List<Part> parts) {

  static final String RULE =
      "consumer, credential, ip, route, service, global, header:<name> or path:<name>";

  /** One part of a key. */
  record Part(Kind kind, @Nullable String name) {}

  /** The kinds of key part. */
  enum Kind {
    CONSUMER,
    CREDENTIAL,
    IP,
    ROUTE,
    SERVICE,
    GLOBAL,
    HEADER,
    PATH
  }

  KeySpec {
    parts = List.copyOf(parts);
  }

  /** Parses one word; null when it is not a key part. */
  static @Nullable Part part(String word) {
    String w = word.trim();
    int colon = w.indexOf(':');
    if (colon > 0) {
      String kind = w.substring(0, colon);
      String name = w.substring(colon + 1).trim();
      if (name.isEmpty()) {
        return null;
      }
      return switch (kind) {
        case "header" -> new Part(Kind.HEADER, name);
        case "path" -> new Part(Kind.PATH, name);
        default -> null;
      };
    }
    return switch (w) {
      case "consumer" -> new Part(Kind.CONSUMER, null);
      case "credential" -> new Part(Kind.CREDENTIAL, null);
      case "ip" -> new Part(Kind.IP, null);
      case "route" -> new Part(Kind.ROUTE, null);
      case "service" -> new Part(Kind.SERVICE, null);
      case "global" -> new Part(Kind.GLOBAL, null);
      default -> null;
    };
  }

  /**
   * The key of this exchange, or null when a part has no value (no consumer, no such header). Parts
   * are joined with a separator that values cannot forge, each tagged with its kind.
   */
  @Nullable String keyOf(Exchange exchange) {
    StringBuilder sb = new StringBuilder(64);
    for (Part p : parts) {
      String v = value(p, exchange);
      if (v == null) {
        return null;
      }
      if (sb.length() > 0) {
        sb.append('|');
      }
      sb.append(p.kind().ordinal()).append('=').append(v.replace("|", "%7C"));
    }
    return sb.toString();
  }

  /** The key when the configured one is missing and {@code missing-key: ip}. */
  static @Nullable String ipKey(Exchange exchange) {
    String ip = clientIp(exchange);
    return ip == null ? null : Kind.IP.ordinal() + "=" + ip;
  }

  private static @Nullable String value(Part p, Exchange exchange) {
    return switch (p.kind()) {
      case CONSUMER -> {
        Identity id = exchange.get(Identity.KEY);
        yield id == null || id.anonymous() ? null : id.consumer();
      }
      case CREDENTIAL -> {
        Identity id = exchange.get(Identity.KEY);
        yield id == null || id.anonymous() ? null : id.credentialId();
      }
      case IP -> clientIp(exchange);
      case ROUTE -> exchange.routeName();
      case SERVICE -> exchange.serviceName();
      case GLOBAL -> "*";
      case HEADER -> exchange.request().headers().get(p.name());
      case PATH -> exchange.pathParameters().get(p.name());
    };
  }

  private static @Nullable String clientIp(Exchange exchange) {
    InetSocketAddress socket = exchange.clientAddress();
    if (socket == null) {
      return null;
    }
    InetAddress address = socket.getAddress();
    return address == null ? null : NetUtil.toAddressString(address);
  }
}
