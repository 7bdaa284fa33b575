package io.portico.forwarding;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import io.portico.config.ForwardingConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The compiled forwarding settings: which peers are trusted proxies, how the client's address is
 * found, and the forwarding headers written upstream.
 *
 * <p>Only a trusted peer's {@code X-Forwarded-*}, {@code Forwarded}, {@code X-Request-Id} and the
 * fields of {@link #removeUnbelieved} are believed. From an untrusted peer they are replaced or
 * removed, so a client cannot spoof its address (and, for example, rotate a rate-limit key). With
 * trusted peers, the client address is the rightmost address of {@code X-Forwarded-For} (or of
 * {@code Forwarded}'s {@code for=}, as configured: one header, never both, since a proxy that
 * maintains one passes the other through from the client) that is not itself a trusted proxy. The
 * hops are read right to left; a hop that is not an IP address ({@link ForwardedFor}: a port in
 * {@code X-Forwarded-For}, a name, {@code unknown}, an obfuscated identifier) ends the walk, and
 * the client is then the trusted proxy that forwarded it, since nothing to its left can be
 * believed.
 *
 * <p>Immutable and thread-safe.
 */
public final class ForwardingPolicy {

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
  private static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
  private static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  private static final AsciiString X_FORWARDED_DASH = AsciiString.cached("x-forwarded-");

  /** Fields only a trusted proxy may send: see {@link #removeUnbelieved}. */
  private static final List<AsciiString> PROXY_ONLY =
      List.of(
          AsciiString.cached("x-real-ip"),
          AsciiString.cached("x-client-ip"),
          AsciiString.cached("true-client-ip"),
          AsciiString.cached("x-cluster-client-ip"),
          AsciiString.cached("x-original-url"),
          AsciiString.cached("x-rewrite-url"));

  private final List<IpSubnetFilterRule> trusted;
  private final AsciiString requestIdHeader;
  private final boolean fromForwarded;
  private final @Nullable String via;
  private final @Nullable String via11;
  private final @Nullable String via2;

  public ForwardingPolicy(ForwardingConfig config) {
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    for (String cidr : config.trustedProxies()) {
      rules.add(parseCidr(cidr));
    }
    this.trusted = List.copyOf(rules);
    this.requestIdHeader = AsciiString.of(config.requestIdHeader().toLowerCase());
    this.fromForwarded = config.clientAddressHeader().equals("forwarded");
    this.via = config.via();
    this.via11 = via == null ? null : "1.1 " + via;
    this.via2 = via == null ? null : "2.0 " + via;
  }

  /** Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address. */
  private static IpSubnetFilterRule parseCidr(String cidr) {
    int slash = cidr.indexOf('/');
    String addr = slash < 0 ? cidr : cidr.substring(0, slash);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("not an IP address: " + addr);
    }
    int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
    return new IpSubnetFilterRule(addr, bits, IpFilterRuleType.ACCEPT);
  }

  public AsciiString requestIdHeader() {
    return requestIdHeader;
  }

  public boolean isTrusted(InetSocketAddress peer) {
    if (trusted.isEmpty()) {
      return false;
    }
    for (IpSubnetFilterRule rule : trusted) {
      if (rule.matches(peer)) {
        return true;
      }
    }
    return false;
  }

  /** The client's address: the peer, or the address a trusted proxy chain forwarded for. */
  public InetSocketAddress clientAddress(
      InetSocketAddress peer, boolean peerTrusted, HttpHeaders headers) {
    if (!peerTrusted) {
      return peer;
    }
    List<String> values = headers.getAll(fromForwarded ? FORWARDED : X_FORWARDED_FOR);
    if (values.isEmpty()) {
      return peer;
    }
    List<InetAddress> hops =
        fromForwarded ? ForwardedFor.forwarded(values) : ForwardedFor.xForwardedFor(values);
    InetSocketAddress candidate = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = hops.get(i);
      if (hop == null) {
        return candidate;
      }
      candidate = new InetSocketAddress(hop, 0);
      if (!isTrusted(candidate)) {
        return candidate;
      }
    }
    return candidate;
  }

  /**
   * What a client connection contributes to the forwarding headers, computed once per connection;
   * the {@code Forwarded} element is cached per Host value, which rarely changes on a connection.
   * Created by the proxy for each client connection and used on that connection's event loop only.
   */
  public static final class ConnectionFacts {
    private final String peerText;
    private final String portText;
    private final String proto;
    private final boolean http2;
    private final String forwardedFor;
    private @Nullable String lastHost;
    private @Nullable String lastForwarded;
    private @Nullable ForwardingPolicy encodedPolicy;
    private @Nullable String encodedHost;
    private byte @Nullable [] encoded;

    public ConnectionFacts(String peerText, int localPort, boolean secure, boolean http2) {
      this.peerText = peerText;
      this.portText = Integer.toString(localPort);
      this.proto = secure ? "https" : "http";
      this.http2 = http2;
      this.forwardedFor =
          "for="
              + (peerText.indexOf(':') >= 0 ? "\"[" + peerText + "]\"" : peerText)
              + ";proto="
              + proto;
    }

    String forwarded(@Nullable String host) {
      if (host == null) {
        return forwardedFor;
      }
      String forwarded = lastForwarded;
      if (forwarded == null || !host.equals(lastHost)) {
        forwarded = forwardedFor + (isToken(host) ? ";host=" + host : ";host=\"" + host + '"');
        lastForwarded = forwarded;
        lastHost = host;
      }
      return forwarded;
    }

    /**
     * {@code policy}'s fields for an untrusted peer's request with this Host, encoded; kept for the
     * next request of the connection while the policy and the Host stay the same.
     */
    byte[] encoded(ForwardingPolicy policy, @Nullable String host) {
      byte[] lines = encoded;
      if (lines == null || policy != encodedPolicy || !Objects.equals(host, encodedHost)) {
        lines = policy.encodeUntrusted(this, host);
        encoded = lines;
        encodedPolicy = policy;
        encodedHost = host;
      }
      return lines;
    }
  }

  /**
   * Removes what only a proxy may say, from a request of a peer that is not a trusted proxy: every
   * {@code X-Forwarded-*} field (those the gateway writes are written again by {@link #apply};
   * {@code X-Forwarded-Prefix}, {@code -Server}, {@code -Ssl}, {@code -Scheme} and the like would
   * otherwise reach the upstream as the client wrote them), the client-address fields of other
   * proxies and CDNs ({@code X-Real-IP}, {@code X-Client-IP}, {@code True-Client-IP}, {@code
   * X-Cluster-Client-IP}), and the path overrides some servers obey instead of the request-target
   * ({@code X-Original-URL}, {@code X-Rewrite-URL}), which would let a client have another path
   * served than the one its route was chosen for.
   *
   * <p>Called once per exchange before any plugin runs, so a plugin may still set these.
   */
  public void removeUnbelieved(HttpHeaders headers) {
    for (AsciiString name : PROXY_ONLY) {
      headers.remove(name);
    }
    List<String> forwarded = null;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      CharSequence name = it.next().getKey();
      if (name.length() > X_FORWARDED_DASH.length()
          && AsciiString.regionMatches(
              name, true, 0, X_FORWARDED_DASH, 0, X_FORWARDED_DASH.length())) {
        if (forwarded == null) {
          forwarded = new ArrayList<>(2);
        }
        forwarded.add(name.toString());
      }
    }
    if (forwarded != null) {
      for (String name : forwarded) {
        headers.remove(name);
      }
    }
  }

  /**
   * Writes the forwarding headers of the upstream request.
   *
   * @param originalHost the Host the client sent (before any rewrite)
   */
  public void apply(
      HttpHeaders headers, boolean peerTrusted, ConnectionFacts c, @Nullable String originalHost) {
    if (peerTrusted) {
      String xff = headers.get(X_FORWARDED_FOR);
      headers.set(X_FORWARDED_FOR, xff == null ? c.peerText : xff + ", " + c.peerText);
      setIfAbsent(headers, X_FORWARDED_PROTO, c.proto);
      if (originalHost != null) {
        setIfAbsent(headers, X_FORWARDED_HOST, originalHost);
      }
      setIfAbsent(headers, X_FORWARDED_PORT, c.portText);
    } else {
      headers.set(X_FORWARDED_FOR, c.peerText);
      headers.set(X_FORWARDED_PROTO, c.proto);
      if (originalHost != null) {
        headers.set(X_FORWARDED_HOST, originalHost);
      } else {
        headers.remove(X_FORWARDED_HOST);
      }
      headers.set(X_FORWARDED_PORT, c.portText);
    }
    String fwd = c.forwarded(originalHost);
    String prior = peerTrusted ? headers.get(FORWARDED) : null;
    headers.set(FORWARDED, prior == null ? fwd : prior + ", " + fwd);
    if (via != null) {
      String entry = c.http2 ? via2 : via11;
      String existing = headers.get(HttpHeaderNames.VIA);
      headers.set(HttpHeaderNames.VIA, existing == null ? entry : existing + ", " + entry);
    }
  }

  /**
   * The forwarding fields of a request from a peer that is not a trusted proxy, as header lines
   * already encoded ({@code name: value CRLF}, the names and values {@link #apply} writes, in its
   * order), for a head that carries them beside its map instead of in it: what a connection sends
   * is the same for each of its requests with the same Host, so the lines are made once per
   * connection and Host. Removes the client's {@code Forwarded}, which {@link #apply} would
   * replace.
   *
   * <p>Only for a head from which {@link #removeUnbelieved} removed what only a proxy may say and
   * to which nothing added a forwarding field since. Null, with nothing removed, when the head
   * holds a field that {@link #apply} would not replace but add to ({@code Via}, when the policy
   * writes one) or any {@code X-Forwarded-*} field it writes: then {@link #apply} is the way.
   * Calling {@link #apply} for the same head later writes the same fields into its map.
   *
   * @param originalHost the Host the client sent (before any rewrite)
   */
  public byte @Nullable [] encodedForUntrusted(
      HttpHeaders headers, ConnectionFacts c, @Nullable String originalHost) {
    if ((via != null && headers.contains(HttpHeaderNames.VIA))
        || headers.contains(X_FORWARDED_FOR)
        || headers.contains(X_FORWARDED_PROTO)
        || headers.contains(X_FORWARDED_HOST)
        || headers.contains(X_FORWARDED_PORT)) {
      return null;
    }
    headers.remove(FORWARDED);
    return c.encoded(this, originalHost);
  }

  /** The lines {@link #apply} amounts to for an untrusted peer and a head without the fields. */
  private byte[] encodeUntrusted(ConnectionFacts c, @Nullable String originalHost) {
    StringBuilder b = new StringBuilder(160);
    line(b, X_FORWARDED_FOR, c.peerText);
    line(b, X_FORWARDED_PROTO, c.proto);
    if (originalHost != null) {
      line(b, X_FORWARDED_HOST, originalHost);
    }
    line(b, X_FORWARDED_PORT, c.portText);
    line(b, FORWARDED, c.forwarded(originalHost));
    if (via != null) {
      line(b, HttpHeaderNames.VIA, c.http2 ? via2 : via11);
    }
    // as the encoder writes a header: a character above U+00FF as '?'
    return b.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void line(StringBuilder b, AsciiString name, @Nullable String value) {
    b.append(name).append(": ").append(value).append("\r\n");
  }

  private static void setIfAbsent(HttpHeaders headers, AsciiString name, String value) {
    if (!headers.contains(name)) {
      headers.set(name, value);
    }
  }

  private static boolean isToken(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
