package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code portal} into a {@link PortalConfig}: {@code off}, or {@code enabled, sign-up,
 * address, gateway-url, quota (redis, period, on-failure, timeout), invitation-ttl}.
 */
final class PortalSection {

  private PortalSection() {}

  /**
   * The portal; {@code portal.address} is checked against the admin listener (which it needs, for
   * the accounts) and the other listeners (whose addresses it may not take).
   */
  static PortalConfig parse(
      @Nullable ConfigNode node,
      ConfigReader parent,
      AdminConfig admin,
      List<ListenerConfig> listeners) {
    PortalConfig d = PortalConfig.DEFAULTS;
    if (node == null || node.isNull()) {
      return d;
    }
    if (node.isScalar() && node.scalarText().equals("off")) {
      return new PortalConfig(false, false);
    }
    if (!node.isObject()) {
      parent
          .problems()
          .expected(
              node,
              "an object with enabled, sign-up, address, gateway-url, quota and invitation-ttl,"
                  + " or off");
      return d;
    }
    ConfigReader r = ConfigReader.of(node, parent.problems());
    boolean enabled = r.bool("enabled", d.enabled());
    boolean signUp = r.bool("sign-up", d.signUp());
    InetSocketAddress address = null;
    ConfigNode addressNode = r.child("address");
    if (addressNode != null) {
      address = addressNode.isScalar() ? Addresses.bindAddress(addressNode.scalarText()) : null;
      if (address == null) {
        r.problems().expected(addressNode, "a listening address such as 0.0.0.0:9902");
      } else if (admin.address() == null) {
        r.problems()
            .expected(
                addressNode,
                "no address: the portal's listener needs the admin listener's accounts"
                    + " (admin.address)");
      } else if (address.getPort() != 0
          && (address.equals(admin.address()) || taken(address, listeners))) {
        r.problems()
            .expected(addressNode, "an address not used by the admin listener or a listener");
      }
    }
    String gatewayUrl = r.string("gateway-url", null);
    if (gatewayUrl != null && !(gatewayUrl.matches("https?://[^/\\s?#]+(/[^\\s?#]*)?"))) {
      r.problems()
          .expected(
              Objects.requireNonNull(r.child("gateway-url")),
              "an http:// or https:// URL without a query");
      gatewayUrl = null;
    }
    if (gatewayUrl != null && gatewayUrl.endsWith("/")) {
      gatewayUrl = gatewayUrl.substring(0, gatewayUrl.length() - 1);
    }
    PortalConfig.Quota quota = null;
    ConfigNode quotaNode = r.child("quota");
    if (quotaNode != null) {
      if (!quotaNode.isObject()) {
        r.problems().expected(quotaNode, "an object with redis, period, on-failure and timeout");
      } else {
        ConfigReader q = ConfigReader.of(quotaNode, r.problems());
        String period = q.oneOf("period", "day", List.of("hour", "day", "month"));
        String url = q.string("redis", null);
        if (url == null) {
          q.required("redis", "a Redis URI such as redis://127.0.0.1:6379");
        }
        String onFailure = q.oneOf("on-failure", "fail-open", List.of("fail-open", "fail-closed"));
        Duration timeout =
            q.duration(
                "timeout",
                PortalConfig.Quota.DEFAULT_TIMEOUT,
                PortalConfig.Quota.MIN_TIMEOUT,
                PortalConfig.Quota.MAX_TIMEOUT);
        q.finish();
        if (url != null) {
          quota = new PortalConfig.Quota(period, url, onFailure, timeout);
        }
      }
    }
    Duration ttl =
        r.duration(
            "invitation-ttl",
            Duration.ofSeconds(d.invitationTtl()),
            Duration.ofMinutes(1),
            Duration.ofDays(90));
    r.finish();
    return new PortalConfig(enabled, signUp, address, gatewayUrl, quota, ttl.toSeconds());
  }

  private static boolean taken(InetSocketAddress address, List<ListenerConfig> listeners) {
    return listeners.stream().anyMatch(l -> address.equals(l.address()));
  }
}
