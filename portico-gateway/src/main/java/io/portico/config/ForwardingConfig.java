package io.portico.config;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How Portico treats and sets forwarding headers.
 *
 * @param trustedProxies CIDRs of proxies in front of Portico whose {@code X-Forwarded-*}, {@code
 *     Forwarded} and {@code X-Request-Id} are believed; empty = trust no client-supplied value
 * @param via the pseudonym Portico writes in {@code Via}, or null to not add {@code Via}
 * @param requestIdHeader the header carrying the request id
 * @param clientAddressHeader the one header read for the client's address behind trusted proxies:
 *     {@code x-forwarded-for} or {@code forwarded}
 */
public record ForwardingConfig(
    List<String> trustedProxies,
    @Nullable String via,
    String requestIdHeader,
    String clientAddressHeader) {

  public static final List<String> CLIENT_ADDRESS_HEADERS = List.of("x-forwarded-for", "forwarded");

  public static final ForwardingConfig DEFAULTS =
      new ForwardingConfig(List.of(), "portico", "X-Request-Id", "x-forwarded-for");
}
