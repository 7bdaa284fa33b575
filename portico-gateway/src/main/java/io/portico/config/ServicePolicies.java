package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads the sections of a service that say how its endpoints are reached and chosen: {@code tls}
 * (with {@code https://} targets) and {@code balancer}. Problems go to the parser's {@link
 * Problems}, like every other section.
 */
final class ServicePolicies {

  private final Problems problems;
  private final Function<ConfigNode, Path> readableFile;

  /**
   * @param readableFile the parser's check of a file path (resolved against the config's directory,
   *     reported when missing or unreadable; null then)
   */
  ServicePolicies(Problems problems, Function<ConfigNode, Path> readableFile) {
    this.problems = problems;
    this.readableFile = readableFile;
  }

  /**
   * The service's upstream TLS: from its {@code tls} section, or the defaults when its targets are
   * written {@code https://}; null for plain HTTP.
   */
  @Nullable UpstreamTlsConfig tls(ConfigReader service, @Nullable DiscoverySpec discovery) {
    boolean httpsTargets = false;
    if (discovery != null && discovery.settings() instanceof StaticTargets s) {
      long https = s.targets().stream().filter(TargetConfig::tls).count();
      if (https > 0 && https < s.targets().size()) {
        SectionReaders.at(
            service,
            "targets",
            "targets mix https:// and plain targets (expected: one scheme for every target)");
      }
      httpsTargets = https > 0;
    }
    ConfigNode node = service.child("tls");
    if (node == null) {
      return httpsTargets ? defaults() : null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    boolean verify = r.bool("verify", true);
    Path ca = r.has("ca") ? readableFile.apply(r.child("ca")) : null;
    String serverName = r.string("server-name", null);
    if (serverName != null && Addresses.hostName(serverName) == null) {
      r.expected("server-name", "a host name such as api.internal");
      serverName = null;
    }
    Path clientCert = r.has("client-cert") ? readableFile.apply(r.child("client-cert")) : null;
    Path clientKey = r.has("client-key") ? readableFile.apply(r.child("client-key")) : null;
    if (r.has("client-cert") != r.has("client-key")) {
      problems.at(node, "client-cert and client-key go together (expected: both or neither)");
    }
    if (!verify && r.has("ca")) {
      SectionReaders.at(r, "ca", "ca with verify: false (expected: one or the other)");
    }
    List<String> protocols = new ArrayList<>();
    for (String p : r.has("protocols") ? r.strings("protocols") : ConfigParser.TLS_PROTOCOLS) {
      if (ConfigParser.TLS_PROTOCOLS.contains(p)) {
        protocols.add(p);
      } else {
        r.expected("protocols", "TLS versions among " + ConfigParser.TLS_PROTOCOLS);
      }
    }
    r.finish();
    return new UpstreamTlsConfig(verify, ca, serverName, clientCert, clientKey, protocols);
  }

  /** The service's {@code balancer} section; the defaults (round-robin) when absent. */
  BalancerConfig balancer(ConfigReader service) {
    if (!service.has("balancer")) {
      return BalancerConfig.DEFAULTS;
    }
    BalancerConfig d = BalancerConfig.DEFAULTS;
    List<String> policies =
        Arrays.stream(BalancerConfig.Policy.values())
            .map(BalancerConfig.Policy::configName)
            .toList();
    ConfigNode given = service.child("balancer");
    if (given != null && given.isScalar()) {
      // balancer: least-request, the policy written where its object goes
      String policy = Suggestions.closest(given.scalarText(), policies);
      problems.expected(
          given,
          "an object such as { policy: "
              + (policy == null ? d.policy().configName() : policy)
              + " }, with policy one of "
              + String.join(", ", policies));
      return d;
    }
    ConfigReader r = service.object("balancer");
    String policyName = r.oneOf("policy", d.policy().configName(), policies);
    BalancerConfig.Policy policy = BalancerConfig.Policy.values()[policies.indexOf(policyName)];
    List<String> sources =
        Arrays.stream(BalancerConfig.HashOn.values())
            .map(BalancerConfig.HashOn::configName)
            .toList();
    String hashOnName = r.oneOf("hash-on", d.hashOn().configName(), sources);
    BalancerConfig.HashOn hashOn = BalancerConfig.HashOn.values()[sources.indexOf(hashOnName)];
    String hashKey = r.string("hash-key", null);
    boolean named =
        hashOn == BalancerConfig.HashOn.HEADER
            || hashOn == BalancerConfig.HashOn.COOKIE
            || hashOn == BalancerConfig.HashOn.PATH_PARAMETER;
    if (policy == BalancerConfig.Policy.CONSISTENT_HASH && named && hashKey == null) {
      problems.at(
          r.node(),
          "hash-on: " + hashOnName + " needs hash-key (expected: the header, cookie or parameter)");
    }
    if (r.has("hash-on") && policy != BalancerConfig.Policy.CONSISTENT_HASH) {
      SectionReaders.at(r, "hash-on", "hash-on without policy: consistent-hash");
    }
    Duration slowStart = r.duration("slow-start", d.slowStart());
    r.finish();
    return new BalancerConfig(policy, hashOn, named ? hashKey : null, slowStart);
  }

  /** The service's {@code health} section; everything off when absent. */
  HealthConfig health(ConfigReader service) {
    return new HealthSection(problems).parse(service);
  }

  private static UpstreamTlsConfig defaults() {
    return new UpstreamTlsConfig(true, null, null, null, null, ConfigParser.TLS_PROTOCOLS);
  }
}
