package io.portico.spi.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Keys that Kong, APISIX and Envoy configs use for what Portico writes differently, each with the
 * Portico form, for the "unknown key" message of {@link ConfigReader#finish()}: someone moving a
 * config over learns the Portico spelling instead of only the list of valid keys.
 *
 * <p>A hint applies only where its Portico key is a key of the object being read (its anchor):
 * {@code upstream} means one thing in a route (name a service) and another in a service (its
 * targets), and means nothing in a plugin's config. Keys are matched case-insensitively, with
 * {@code _} read as {@code -}.
 */
final class ForeignKeys {

  /** The Portico form of a foreign key, given where {@code anchor} is a valid key. */
  private record Hint(String anchor, String text) {}

  private static final Map<String, List<Hint>> HINTS =
      Map.ofEntries(
          // Top level (Kong decK files, APISIX standalone files).
          Map.entry(
              "upstreams",
              List.of(
                  new Hint(
                      "services",
                      "upstreams are services here: services: [ { name: NAME, targets: ["
                          + " \"host:port\" ] } ], named by routes with service: NAME"))),
          Map.entry(
              "-format-version",
              List.of(
                  new Hint(
                      "services",
                      "a Kong declarative file; Portico's top level is listeners, services (with"
                          + " targets), routes (with paths and service), consumers and plugins,"
                          + " see docs/configuration.md"))),
          Map.entry(
              "global-rules",
              List.of(new Hint("plugins", "global plugins are written plugins: { NAME: CONFIG }"))),
          Map.entry("ssls", List.of(certificates())),
          Map.entry("certificates", List.of(certificates())),
          // Routes.
          Map.entry("strip-path", List.of(stripPrefix())),
          Map.entry("strip-uri", List.of(stripPrefix())),
          Map.entry("uri", List.of(paths())),
          Map.entry("uris", List.of(paths())),
          Map.entry("upstream-id", List.of(serviceName())),
          Map.entry("service-id", List.of(serviceName())),
          Map.entry(
              "upstream",
              List.of(
                  new Hint(
                      "service",
                      "an upstream is a service here: define it under services: with targets: and"
                          + " name it with service: NAME"),
                  new Hint("targets", "write the upstream's nodes as targets: [ \"host:port\" ]"))),
          Map.entry(
              "regex-priority",
              List.of(new Hint("priority", "write priority: N (higher wins over lower)"))),
          Map.entry(
              "vars",
              List.of(
                  new Hint(
                      "headers",
                      "match on request headers and query parameters with headers: and query:"))),
          // Services and their upstreams.
          Map.entry(
              "url",
              List.of(
                  new Hint(
                      "targets",
                      "write targets: [ \"http://host:port\" ] (https:// for TLS), and a path"
                          + " prefix as the routes' rewrite-path"))),
          Map.entry(
              "upstream-url",
              List.of(
                  new Hint(
                      "service",
                      "define the upstream under services: with targets: [ \"http://host:port\""
                          + " ] and name it with service: NAME"),
                  new Hint(
                      "targets",
                      "write targets: [ \"http://host:port\" ] (https:// for TLS), and a path"
                          + " prefix as the routes' rewrite-path"))),
          Map.entry("host", List.of(hostAndPort(), listenAddress())),
          Map.entry("port", List.of(hostAndPort(), listenAddress())),
          Map.entry("ip", List.of(listenAddress())),
          Map.entry("listen", List.of(listenAddress())),
          Map.entry(
              "nodes",
              List.of(
                  new Hint(
                      "targets",
                      "write targets: [ \"host:port\" ], or [ { target: \"host:port\", weight: N"
                          + " } ] with weights"))),
          Map.entry(
              "type",
              List.of(
                  new Hint(
                      "balancer",
                      "the balancing policy is balancer: { policy: round-robin, least-request,"
                          + " ewma or consistent-hash }"))),
          Map.entry(
              "retries",
              List.of(
                  new Hint("retry", "write retry: { attempts: N } (attempts after the first)"))),
          Map.entry("connect-timeout", List.of(timeouts())),
          Map.entry(
              "endpoints",
              List.of(
                  new Hint(
                      "targets",
                      "write the endpoints as targets: [ \"host:port\" ], or a discovery: section"
                          + " for endpoints from DNS, Consul, etcd, Kubernetes or a file"))),
          // Inside timeouts: { ... }: the read and write timeouts of other gateways.
          Map.entry("read", List.of(responseTimeout())),
          Map.entry("write", List.of(responseTimeout())),
          Map.entry("send", List.of(responseTimeout())),
          Map.entry("read-timeout", List.of(timeouts())),
          Map.entry("write-timeout", List.of(timeouts())),
          Map.entry("send-timeout", List.of(timeouts())),
          Map.entry("healthchecks", List.of(health())),
          Map.entry("checks", List.of(health())),
          Map.entry(
              "pass-host",
              List.of(
                  new Hint(
                      "host-header",
                      "the Host sent upstream is host-header: NAME on the service, or"
                          + " preserve-host: true on the route"))),
          Map.entry(
              "upstream-host",
              List.of(new Hint("host-header", "write host-header: NAME on the service"))),
          Map.entry(
              "scheme",
              List.of(
                  new Hint(
                      "targets",
                      "TLS to the targets is written targets: [ \"https://host:port\" ], HTTP/2"
                          + " as protocol: h2c or h2"))),
          // Keys of a plugin written one level too high.
          Map.entry("jwks-url", List.of(issuerKey("jwks-url: URL"))),
          Map.entry("jwks-uri", List.of(issuerKey("jwks-url: URL"))),
          Map.entry("issuer", List.of(issuerKey("jwks-url: URL"))),
          Map.entry("secret", List.of(issuerKey("secret: SECRET"))),
          Map.entry("public-key", List.of(issuerKey("public-key: PEM"))),
          Map.entry("requests", List.of(limit())),
          // Keys of plugins' configs: Kong's and APISIX's names for what a Portico plugin spells
          // differently.
          Map.entry(
              "key-names",
              List.of(
                  new Hint(
                      "header-names",
                      "the names a key is looked for under are header-names: [ NAME ] for"
                          + " headers and query-names: [ NAME ] for query parameters"))),
          Map.entry(
              "whitelist",
              List.of(
                  new Hint("allow", "write allow: [ ADDRESS or CIDR, ... ]"), aclGroups("allow"))),
          Map.entry(
              "blacklist",
              List.of(new Hint("deny", "write deny: [ ADDRESS or CIDR, ... ]"), aclGroups("deny"))),
          Map.entry("allow", List.of(aclGroups("allow"))),
          Map.entry("deny", List.of(aclGroups("deny"))),
          Map.entry(
              "headers",
              List.of(
                  new Hint(
                      "allow-headers",
                      "the request headers a preflight may ask for are allow-headers: [ NAME ],"
                          + " the response headers a page may read are expose-headers: [ NAME ]"))),
          Map.entry("redis-host", List.of(redisUrl())),
          Map.entry("redis-port", List.of(redisUrl())),
          Map.entry("redis-password", List.of(redisUrl())),
          Map.entry("redis-username", List.of(redisUrl())),
          Map.entry("redis-database", List.of(redisUrl())),
          Map.entry("redis-ssl", List.of(redisUrl())),
          Map.entry(
              "redis-timeout",
              List.of(
                  new Hint("redis", "write redis: { url: URI, timeout: 100ms, on-failure: ... }"))),
          Map.entry("second", List.of(limit())),
          Map.entry("minute", List.of(limit())),
          Map.entry("hour", List.of(limit())),
          Map.entry("day", List.of(limit())),
          Map.entry("count", List.of(limit())),
          Map.entry("time-window", List.of(limit())),
          // Consumers.
          Map.entry("username", List.of(new Hint("credentials", "a consumer's name is name:"))),
          Map.entry(
              "plugins",
              List.of(
                  new Hint(
                      "credentials",
                      "plugins are set on routes, services or at the top level, not on a"
                          + " consumer; a limit per consumer is rate-limit with key: consumer,"
                          + " and a larger one for some consumers is a group of theirs with"
                          + " rate-limit's groups: { GROUP: FACTOR } (docs/plugins/rate-limit.md)"))),
          Map.entry(
              "acls", List.of(new Hint("groups", "a consumer's groups are groups: [ NAME, ... ]"))),
          Map.entry("keyauth-credentials", List.of(credentials("key-auth"))),
          Map.entry("basicauth-credentials", List.of(credentials("basic-auth"))),
          Map.entry("hmacauth-credentials", List.of(credentials("hmac-auth"))),
          Map.entry("jwt-secrets", List.of(credentials("jwt"))));

  private ForeignKeys() {}

  /**
   * The Portico form of {@code key}, when it is a key other gateways use and the object being read
   * has the key that replaces it; null otherwise. Where the form shows paths to write, they are the
   * user's own {@code value}: {@code uri: /b} gets {@code write paths: [ "/b" ]}.
   */
  static @Nullable String hint(String key, Set<String> known, ConfigNode value) {
    Hint h = find(key, known);
    if (h == null) {
      return null;
    }
    String written = pathsWritten(value);
    return h.text().replace(PATHS, written != null ? written : "\"/a\"");
  }

  /** {@code "/b"} for a scalar, {@code "/b", "/c"} for a list of scalars, else null. */
  private static @Nullable String pathsWritten(ConfigNode value) {
    if (value.isScalar()) {
      return "\"" + value.scalarText() + "\"";
    }
    if (!value.isList() || value.items().isEmpty()) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (ConfigNode item : value.items()) {
      if (!item.isScalar()) {
        return null;
      }
      out.append(out.length() == 0 ? "" : ", ").append('"').append(item.scalarText()).append('"');
    }
    return out.toString();
  }

  /**
   * The Portico key that replaces {@code key} in the object being read (the hint's anchor), or null
   * when {@code key} has no hint there.
   */
  static @Nullable String replacement(String key, Set<String> known) {
    Hint h = find(key, known);
    return h == null ? null : h.anchor();
  }

  private static @Nullable Hint find(String key, Set<String> known) {
    List<Hint> hints = HINTS.get(key.toLowerCase(Locale.ROOT).replace('_', '-'));
    if (hints == null) {
      return null;
    }
    for (Hint h : hints) {
      if (known.contains(h.anchor())) {
        return h;
      }
    }
    return null;
  }

  private static Hint certificates() {
    return new Hint(
        "listeners",
        "certificates are listed on their listener: listeners[].tls.certificates: [ { cert: FILE,"
            + " key: FILE } ]");
  }

  private static Hint stripPrefix() {
    return new Hint(
        "strip-prefix", "write strip-prefix: true to remove the matched path prefix upstream");
  }

  /** Where a hint shows the paths to write: the user's own value, else {@code "/a"}. */
  private static final String PATHS = "<paths>";

  private static Hint paths() {
    return new Hint(
        "paths",
        "write paths: [ "
            + PATHS
            + " ]; a path is a prefix (path-match: exact for one path), \"/users/{id}\""
            + " a template, and \"~^/a/.*\" a regular expression");
  }

  private static Hint serviceName() {
    return new Hint("service", "name the service with service: NAME");
  }

  private static Hint hostAndPort() {
    return new Hint("targets", "a host and a port are one target: targets: [ \"host:port\" ]");
  }

  private static Hint listenAddress() {
    return new Hint(
        "address",
        "the host and port to listen on are one address: address: \"127.0.0.1:8080\" (\":8080\""
            + " for every interface)");
  }

  private static Hint timeouts() {
    return new Hint(
        "timeouts",
        "write timeouts: { connect: 5s, response: 60s, idle: 60s }, durations with a unit");
  }

  private static Hint responseTimeout() {
    return new Hint(
        "response",
        "the time the upstream has to answer, from the request sent to the response head, is"
            + " response: 60s; the longest silence between two reads or writes, idle: 60s");
  }

  private static Hint health() {
    return new Hint(
        "health",
        "write health: { active: { path: /healthz }, passive: {} } (docs/health-checks.md)");
  }

  private static Hint issuerKey(String key) {
    return new Hint(
        "issuers",
        "an issuer's keys are written in its entry: issuers: [ { issuer: ISS, " + key + " } ]");
  }

  private static Hint limit() {
    return new Hint("limits", "each limit is written in limits: [ { requests: N, window: 1m } ]");
  }

  private static Hint redisUrl() {
    return new Hint(
        "redis",
        "Redis is one URI: redis: { url: \"redis://[user:password@]host:6379/0\" (rediss:// for"
            + " TLS), on-failure: fail-open, fail-closed or local-fallback }");
  }

  private static Hint aclGroups(String verb) {
    return new Hint(
        verb + "-groups",
        "write "
            + verb
            + "-groups: [ GROUP, ... ] for consumers' groups, or "
            + verb
            + "-consumers: [ NAME, ... ]");
  }

  private static Hint credentials(String kind) {
    return new Hint("credentials", "write credentials: { " + kind + ": { ... } }");
  }
}
