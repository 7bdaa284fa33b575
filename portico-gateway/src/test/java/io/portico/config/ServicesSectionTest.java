package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.spi.config.ConfigReader;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.StaticEndpointSource;
import io.portico.upstream.discovery.file.FileSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code services} section: targets, pools, discovery kinds and their limits. */
class ServicesSectionTest extends ConfigParsing {

  @Test
  void parsesServicesInFull() {
    ServiceConfig service =
        valid(
                parse(
                    """
                    services:
                      - name: users
                        targets:
                          - 10.0.0.1:8080
                          - { target: "users.internal:${BACKEND_PORT}", weight: 5 }
                          - "[2001:db8::1]:8080"
                        timeouts: { connect: 250ms, response: 30s, idle: 2m }
                        pool: { max-connections: 64, max-pending: 0, idle-timeout: 3s }
                        retry: { attempts: 0, budget-percent: 10 }
                        host-header: users.example.com
                    """))
            .services()
            .get(0);

    assertThat(service.targets())
        .containsExactly(
            new TargetConfig("10.0.0.1", 8080, 1),
            new TargetConfig("users.internal", 9001, 5),
            new TargetConfig("2001:db8::1", 8080, 1));
    assertThat(service.targets().get(2).authority()).isEqualTo("[2001:db8::1]:8080");
    assertThat(service.timeouts())
        .isEqualTo(
            new TimeoutsConfig(
                Duration.ofMillis(250), Duration.ofSeconds(30), Duration.ofMinutes(2)));
    assertThat(service.pool()).isEqualTo(new PoolConfig(64, 0, Duration.ofSeconds(3)));
    assertThat(service.retry()).isEqualTo(new RetryConfig(0, 10));
    assertThat(service.hostHeader()).isEqualTo("users.example.com");
  }

  @Test
  void reportsServiceProblems() {
    ConfigResult result =
        parse(
            """
            services:
              - name: users
                targets: []
              - name: users
                targets:
                  - { target: 10.0.0.1:80, weight: 0 }
                timeouts: { connect: 0s }
              - targets: [ "10.0.0.1:0" ]
              - name: "has space"
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:3:14: services[0].targets: a list (expected: at least one host:port"
                + " target)",
            "portico.yaml:4:11: services[1].name: \"users\" (expected: a service name not used"
                + " before; services[0].name has it)",
            "portico.yaml:6:40: services[1].targets[0].weight: \"0\" (expected: an integer from 1"
                + " to 1000)",
            "portico.yaml:7:26: services[1].timeouts.connect: \"0s\" (expected: a duration from"
                + " 1ms to 365d)",
            "portico.yaml:8:5: services[2].name: missing (expected: a name of letters, digits,"
                + " '.', '_' or '-')",
            "portico.yaml:8:16: services[2].targets[0]: \"10.0.0.1:0\" (expected: a host:port or"
                + " [IPv6]:port with a port from 1 to 65535)",
            "portico.yaml:9:5: services[3].targets: missing (expected: a list of host:port"
                + " targets)",
            "portico.yaml:9:11: services[3].name: \"has space\" (expected: a name of letters,"
                + " digits, '.', '_' or '-')");
  }

  @Test
  void anExplicitStaticDiscoveryReadsTheTargetsAsTheDefaultDoes() {
    ServiceConfig explicit =
        valid(
                parse(
                    """
                    services:
                      - name: users
                        discovery: static
                        targets: [ "10.0.0.1:8080", { target: "10.0.0.2:8080", weight: 2 } ]
                    """))
            .services()
            .get(0);
    ServiceConfig implicit =
        valid(
                parse(
                    """
                    services:
                      - name: users
                        targets: [ "10.0.0.1:8080", { target: "10.0.0.2:8080", weight: 2 } ]
                    """))
            .services()
            .get(0);

    assertThat(explicit.discovery().kind().name()).isEqualTo("static");
    assertThat(explicit.discovery()).isEqualTo(implicit.discovery());
    assertThat(explicit.targets())
        .containsExactly(
            new TargetConfig("10.0.0.1", 8080, 1), new TargetConfig("10.0.0.2", 8080, 2));
  }

  @Test
  void reportsAnUnknownDiscoveryKindWithTheKnownOnes() {
    ConfigResult result =
        parse(
            """
            services:
              - name: users
                discovery: statc
                targets: [ "10.0.0.1:8080" ]
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:3:16: services[0].discovery: \"statc\" (expected: one of "
                + String.join(", ", DiscoveryKinds.builtIn().names())
                + "); did you mean \"static\"?",
            "portico.yaml:4:5: services[0].targets: unknown key \"targets\" (expected one of:"
                + " balancer, discovery, health, host-header, http2, name, plugins, pool, protocol, retry, timeouts, tls)");
  }

  @Test
  void discoveryLimitsAreReadForEveryKindAndEveryWrongItemIsReportedAtItsPlace() {
    ConfigResult result =
        parse(
            """
            services:
              - name: users
                discovery:
                  kind: dns
                  name: users.internal
                  port: 80
                  max-endpoints: 0
                  allowed-networks: [ 10.0.0.0/8, 10.0.0.0/33, users.internal ]
                  denied-networks: [ "fe80::/129" ]
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:7:22: services[0].discovery.max-endpoints: \"0\" (expected: an integer"
                + " from 1 to 65536)",
            "portico.yaml:8:39: services[0].discovery.allowed-networks[1]: \"10.0.0.0/33\""
                + " (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or"
                + " 2001:db8::/32)",
            "portico.yaml:8:52: services[0].discovery.allowed-networks[2]: \"users.internal\""
                + " (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or"
                + " 2001:db8::/32)",
            "portico.yaml:9:26: services[0].discovery.denied-networks[0]: \"fe80::/129\""
                + " (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or"
                + " 2001:db8::/32)");

    ServiceConfig orders =
        valid(
                parse(
                    """
                    services:
                      - name: orders
                        discovery:
                          kind: etcd
                          endpoints: [ "http://127.0.0.1:2379" ]
                          prefix: /services/orders/
                          max-endpoints: 50
                          allowed-networks: [ 10.0.0.0/8, "fd00::/8" ]
                          denied-networks: [ 10.0.0.1 ]
                    """))
            .services()
            .get(0);
    assertThat(
            ((io.portico.upstream.discovery.etcd.EtcdSettings) orders.discovery().settings())
                .limits())
        .isEqualTo(
            new io.portico.upstream.discovery.DiscoveryLimits(
                50, List.of("10.0.0.0/8", "fd00::/8"), List.of("10.0.0.1")));
  }

  @Test
  void readsAKindAndItsSettingsFromADiscoveryObjectAndReportsWhatIsWrongInIt() {
    ConfigResult result =
        parse(
            """
            services:
              - name: users
                discovery: { path: /etc/users.yaml }
              - name: orders
                discovery: { kind: fil, path: /etc/orders.yaml }
              - name: stock
                discovery: { kind: file, path: stock.yaml, intervall: 1s }
              - name: search
                discovery: { dns: { name: search.internal, port: 80 } }
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:3:16: services[0].discovery.kind: missing (expected: one of "
                + String.join(", ", DiscoveryKinds.builtIn().names())
                + ")",
            "portico.yaml:5:24: services[1].discovery.kind: \"fil\" (expected: one of "
                + String.join(", ", DiscoveryKinds.builtIn().names())
                + "); did you mean \"file\"?",
            "portico.yaml:7:36: services[2].discovery.path: \"stock.yaml\" (expected: an absolute"
                + " path)",
            "portico.yaml:7:48: services[2].discovery.intervall: unknown key \"intervall\""
                + " (expected one of: allow-empty, allowed-networks, denied-networks, interval,"
                + " kind, max-endpoints, path); did you mean"
                + " \"interval\"?",
            "portico.yaml:9:16: services[3].discovery.kind: missing (expected: one of "
                + String.join(", ", DiscoveryKinds.builtIn().names())
                + "); \"dns\" is a kind: write discovery: { kind: dns, ... } with its settings"
                + " beside kind");
    ServiceConfig carts =
        valid(
                parse(
                    """
                    services:
                      - name: carts
                        discovery: { kind: file, path: /etc/carts.yaml, interval: 2s, allow-empty: true }
                    """))
            .services()
            .get(0);
    assertThat(carts.discovery().settings())
        .isEqualTo(
            new FileSettings(
                Path.of("/etc/carts.yaml"),
                Duration.ofSeconds(2),
                true,
                io.portico.upstream.discovery.DiscoveryLimits.DEFAULT));
  }

  /** A discovery kind defined by the test: a list of ports on 127.0.0.1 under {@code ports}. */
  static final class PortsKind implements EndpointSourceKind<List<Integer>> {
    @Override
    public String name() {
      return "ports";
    }

    @Override
    public List<Integer> parse(ConfigReader service) {
      ConfigReader r = service.object("ports");
      int from = r.integer("from", 0, 1, 65535);
      int count = r.integer("count", 1, 1, 10);
      r.finish();
      return java.util.stream.IntStream.range(from, from + count).boxed().toList();
    }

    @Override
    public EndpointSource create(List<Integer> ports, Context context) {
      return new StaticEndpointSource(
          ports.stream()
              .map(p -> new Endpoint(new InetSocketAddress("127.0.0.1", p), "127.0.0.1:" + p, 1))
              .toList());
    }
  }

  @Test
  void aRegisteredKindReadsItsOwnKeysAndTheStaticKeysAreUnknownBesideIt() {
    ConfigParser parser =
        new ConfigParser(registry, dir, DiscoveryKinds.builtIn().with(new PortsKind()));
    ConfigResult good =
        parser.parse(
            ConfigLoader.withEnvironment(env)
                .load(
                    """
                    services:
                      - name: users
                        discovery: ports
                        ports: { from: 9001, count: 2 }
                    """,
                    "portico.yaml"));
    ConfigResult bad =
        parser.parse(
            ConfigLoader.withEnvironment(env)
                .load(
                    """
                    services:
                      - name: users
                        discovery: ports
                        ports: { from: 0, count: 2 }
                        targets: [ "10.0.0.1:8080" ]
                    """,
                    "portico.yaml"));

    ServiceConfig users = valid(good).services().get(0);
    assertThat(users.discovery().settings()).isEqualTo(List.of(9001, 9002));
    assertThat(users.targets()).isEmpty();
    assertThat(problems(bad))
        .containsExactly(
            "portico.yaml:4:20: services[0].ports.from: \"0\" (expected: an integer from 1 to"
                + " 65535)",
            "portico.yaml:5:5: services[0].targets: unknown key \"targets\" (expected one of:"
                + " balancer, discovery, health, host-header, http2, name, plugins, pool, ports, protocol, retry, timeouts, tls)");
  }
}
