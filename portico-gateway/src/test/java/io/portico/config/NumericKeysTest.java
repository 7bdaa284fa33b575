package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feeds absurd numbers to every numeric key of the gateway and of the built-in plugins: each must
 * be refused with one problem at that key, in the {@code <path>: <value> (expected: <rule>)} form,
 * never accepted after wrapping around ({@code 17179869184g} is not 0), never thrown.
 */
class NumericKeysTest {

  @TempDir static Path dir;

  /** Out of range, or not a number, for every numeric key there is. */
  static final List<String> ABSURD =
      List.of(
          "99999999999999999999",
          "-99999999999999999999",
          "9223372036854775807",
          "9223372036854775808",
          "17179869184g",
          "8589934592g",
          "99999999999999999999ms",
          "99999999999999999999d",
          "106751991167301d",
          "9999999999999999999s",
          "1e999",
          "0x7fffffff",
          "NaN");

  /**
   * A key, a document with {@code %s} where its value goes, a value it accepts (so that the test
   * proves the document is otherwise valid) and the path of the problem.
   */
  record Key(String path, String yaml, String sane) {
    @Override
    public String toString() {
      return path;
    }
  }

  private static final String SERVICE =
      """
      services:
        - name: s
          targets: [ "10.0.0.1:80" ]
      """;

  private static Key route(String plugin, String config, String key, String sane) {
    return new Key(
        "routes[0].plugins." + plugin + "." + key,
        SERVICE
            + """
            routes:
              - name: r
                service: s
                plugins:
                  %s: %s
            """
                .formatted(plugin, config),
        sane);
  }

  static List<Key> keys() {
    List<Key> keys = new ArrayList<>();
    for (RecordComponent c : LimitsConfig.class.getRecordComponents()) {
      if (c.getType() == String.class) {
        continue; // not a number
      }
      String name = c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
      String sane =
          c.getType() == java.time.Duration.class
              ? "5s"
              // HTTP/2's connection window starts at 64 KiB and cannot be made smaller
              : name.equals("http2-connection-window") ? "1m" : "1024";
      keys.add(new Key("limits." + name, SERVICE + "limits:\n  " + name + ": %s\n", sane));
    }
    for (String t : List.of("connect", "response", "idle")) {
      keys.add(
          new Key(
              "services[0].timeouts." + t,
              "services:\n  - name: s\n    targets: [ \"10.0.0.1:80\" ]\n    timeouts: { "
                  + t
                  + ": %s }\n",
              "5s"));
      keys.add(
          new Key(
              "routes[0].timeouts." + t,
              SERVICE + "routes:\n  - name: r\n    service: s\n    timeouts: { " + t + ": %s }\n",
              "5s"));
    }
    for (String[] p :
        new String[][] {
          {"pool", "max-connections", "10"},
          {"pool", "max-pending", "10"},
          {"pool", "idle-timeout", "30s"},
          {"retry", "attempts", "2"},
          {"retry", "budget-percent", "20"}
        }) {
      keys.add(
          new Key(
              "services[0]." + p[0] + "." + p[1],
              "services:\n  - name: s\n    targets: [ \"10.0.0.1:80\" ]\n    "
                  + p[0]
                  + ": { "
                  + p[1]
                  + ": %s }\n",
              p[2]));
    }
    keys.add(
        new Key(
            "services[0].targets[0].weight",
            "services:\n  - name: s\n    targets: [ { target: \"10.0.0.1:80\", weight: %s } ]\n",
            "5"));
    keys.add(
        new Key(
            "services[0].targets[0]",
            "services:\n  - name: s\n    targets: [ \"10.0.0.1:%s\" ]\n",
            "8080"));
    keys.add(
        new Key(
            "routes[0].priority",
            SERVICE + "routes:\n  - name: r\n    service: s\n    priority: %s\n",
            "-5"));
    keys.add(
        new Key(
            "listeners[0].address",
            SERVICE + "listeners:\n  - address: \"127.0.0.1:%s\"\n",
            "8080"));
    keys.add(new Key("admin.address", SERVICE + "admin:\n  address: \"127.0.0.1:%s\"\n", "9901"));
    keys.add(new Key("runtime.io-threads", SERVICE + "runtime:\n  io-threads: %s\n", "2"));
    keys.add(
        new Key("runtime.shutdown-timeout", SERVICE + "runtime:\n  shutdown-timeout: %s\n", "20s"));

    String limits = "limits: [ { requests: 10, window: 1m } ]";
    for (String[] k : new String[][] {{"cost", "2"}, {"max-keys", "1000"}, {"status", "429"}}) {
      keys.add(route("rate-limit", "{ " + limits + ", " + k[0] + ": %s }", k[0], k[1]));
    }
    keys.add(
        route(
            "rate-limit",
            "{ limits: [ { requests: %s, window: 1m } ] }",
            "limits[0].requests",
            "5"));
    keys.add(
        route(
            "rate-limit",
            "{ limits: [ { requests: 10, window: 1m, burst: %s } ] }",
            "limits[0].burst",
            "20"));
    keys.add(
        route(
            "rate-limit",
            "{ limits: [ { requests: 10, window: %s } ] }",
            "limits[0].window",
            "1h"));
    keys.add(route("rate-limit", "{ " + limits + ", groups: { gold: %s } }", "groups.gold", "2"));
    String redis = "redis: { url: \"redis://127.0.0.1:6379\", on-failure: fail-open }";
    for (String[] k : new String[][] {{"limit", "100"}, {"cost", "2"}, {"status", "429"}}) {
      String config =
          k[0].equals("limit")
              ? "{ limit: %s, " + redis + " }"
              : "{ limit: 100, " + k[0] + ": %s, " + redis + " }";
      keys.add(route("quota", config, k[0], k[1]));
    }
    keys.add(
        route(
            "quota",
            "{ limit: 100, redis: { url: \"redis://127.0.0.1:6379\", on-failure: fail-open, timeout: %s"
                + " } }",
            "redis.timeout",
            "50ms"));
    keys.add(route("limit-conn", "{ max: %s }", "max", "10"));
    for (String[] k : new String[][] {{"queue", "5"}, {"queue-timeout", "2s"}, {"status", "503"}}) {
      keys.add(route("limit-conn", "{ max: 10, " + k[0] + ": %s }", k[0], k[1]));
    }
    keys.add(route("hmac-auth", "{ clock-skew: %s }", "clock-skew", "1m"));
    keys.add(route("hmac-auth", "{ max-body-size: %s }", "max-body-size", "64k"));
    keys.add(route("basic-auth", "{ cache-ttl: %s }", "cache-ttl", "30s"));
    keys.add(route("basic-auth", "{ cache-size: %s }", "cache-size", "100"));
    String issuer =
        "algorithms: [ RS256 ], issuers: [ { issuer: \"https://issuer.test\", jwks-url: \"https://issuer.test/jwks\" } ]";
    for (String[] k :
        new String[][] {
          {"clock-skew", "10s"}, {"verified-cache-ttl", "30s"}, {"verified-cache-size", "100"}
        }) {
      keys.add(route("jwt", "{ " + issuer + ", " + k[0] + ": %s }", k[0], k[1]));
    }
    for (String[] k :
        new String[][] {
          {"refresh-interval", "10m"}, {"min-refresh-interval", "30s"}, {"timeout", "2s"}
        }) {
      keys.add(
          route("jwt", "{ " + issuer + ", jwks: { " + k[0] + ": %s } }", "jwks." + k[0], k[1]));
      keys.add(
          route(
              "openid-connect",
              "{ discovery: \"https://issuer.test/.well-known/openid-configuration\", jwks: { "
                  + k[0]
                  + ": %s } }",
              "jwks." + k[0],
              k[1]));
    }
    String discovery = "discovery: \"https://issuer.test/.well-known/openid-configuration\"";
    keys.add(route("openid-connect", "{ " + discovery + ", clock-skew: %s }", "clock-skew", "5s"));
    keys.add(route("openid-connect", "{ " + discovery + ", timeout: %s }", "timeout", "5s"));
    for (String[] k :
        new String[][] {{"max-ttl", "1m"}, {"negative-ttl", "5s"}, {"max-entries", "100"}}) {
      keys.add(
          route(
              "openid-connect",
              "{ " + discovery + ", userinfo: { cache: { " + k[0] + ": %s } } }",
              "userinfo.cache." + k[0],
              k[1]));
    }
    String introspection =
        "endpoint: \"https://issuer.test/introspect\", client-id: gw, client-secret: s3cret";
    keys.add(
        route("oauth2-introspection", "{ " + introspection + ", timeout: %s }", "timeout", "1s"));
    for (String[] k :
        new String[][] {{"max-ttl", "1m"}, {"negative-ttl", "5s"}, {"max-entries", "100"}}) {
      keys.add(
          route(
              "oauth2-introspection",
              "{ " + introspection + ", cache: { " + k[0] + ": %s } }",
              "cache." + k[0],
              k[1]));
    }
    keys.add(route("echo", "{ status: %s }", "status", "201"));
    keys.add(route("mock", "{ status: %s }", "status", "201"));
    keys.add(route("ip-restriction", "{ allow: [ 10.0.0.0/8 ], status: %s }", "status", "451"));
    keys.add(route("cors", "{ allow-origins: [ \"*\" ], max-age: %s }", "max-age", "10m"));
    return keys;
  }

  static Stream<Arguments> absurdValues() {
    return keys().stream().flatMap(k -> ABSURD.stream().map(v -> Arguments.of(k, v)));
  }

  static Stream<Key> saneValues() {
    return keys().stream();
  }

  private static ConfigResult parse(String yaml) {
    return ConfigFiles.parse(
        yaml,
        "portico.yaml",
        dir,
        Map.of(),
        PluginRegistry.load(NumericKeysTest.class.getClassLoader()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("saneValues")
  void acceptsASaneValue(Key key) {
    ConfigResult result = parse(key.yaml().formatted(key.sane()));

    assertThat(result.problems().list()).extracting(Problem::toString).isEmpty();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("absurdValues")
  void refusesAnAbsurdValueAtItsKey(Key key, String value) {
    ConfigResult result = parse(key.yaml().formatted(value));

    assertThat(result.config()).isNull();
    assertThat(result.problems().list())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo(key.path());
              assertThat(p.toString()).contains(key.path() + ": ").contains(" (expected: ");
              assertThat(p.toString()).startsWith("portico.yaml:");
            });
  }
}
