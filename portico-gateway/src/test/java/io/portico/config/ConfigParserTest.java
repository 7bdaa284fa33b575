package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.plugin.TestHeaderPluginFactory;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.StaticEndpointSource;
import io.portico.upstream.discovery.file.FileSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigParserTest {

  static final String MINIMAL =
      """
      listeners:
        - address: 127.0.0.1:8080
      admin:
        address: 127.0.0.1:9901
      services:
        - name: backend
          targets: [ "127.0.0.1:9001" ]
      routes:
        - name: all
          paths: [ "/" ]
          service: backend
      """;

  private final PluginRegistry registry = PluginRegistry.load(getClass().getClassLoader());
  private final Map<String, String> env = new HashMap<>(Map.of("BACKEND_PORT", "9001"));

  @TempDir Path dir;

  private ConfigResult parse(String yaml) {
    return ConfigFiles.parse(yaml, "portico.yaml", dir, env, registry);
  }

  private static List<String> problems(ConfigResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  private static GatewayConfig valid(ConfigResult result) {
    assertThat(problems(result)).isEmpty();
    assertThat(result.ok()).isTrue();
    return result.config();
  }

  /** MINIMAL with one more route, service or section appended. */
  private static String minimalWith(String more) {
    return MINIMAL + more;
  }

  @Test
  void loadsTheMinimalFileWithZeroProblems() {
    GatewayConfig config = valid(parse(MINIMAL));

    assertThat(config.listeners())
        .containsExactly(
            new ListenerConfig("http-8080", new InetSocketAddress("127.0.0.1", 8080), null, true));
    assertThat(config.admin().address()).isEqualTo(new InetSocketAddress("127.0.0.1", 9901));
    assertThat(config.admin().token()).isNull();
    assertThat(config.admin().tokens()).isEmpty();
    assertThat(config.admin().store().getFileName().toString()).isEqualTo("admin-store");
    assertThat(config.admin().history()).isEqualTo(AdminConfig.DEFAULT_HISTORY);
    ServiceConfig backend = config.services().get(0);
    assertThat(backend.name()).isEqualTo("backend");
    assertThat(backend.targets()).containsExactly(new TargetConfig("127.0.0.1", 9001, 1));
    assertThat(backend.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
    assertThat(backend.pool()).isEqualTo(PoolConfig.DEFAULTS);
    assertThat(backend.retry()).isEqualTo(RetryConfig.DEFAULTS);
    RouteConfig all = config.routes().get(0);
    assertThat(all.name()).isEqualTo("all");
    assertThat(all.paths()).containsExactly("/");
    assertThat(all.pathMatch()).isEqualTo("prefix");
    assertThat(all.service()).isEqualTo("backend");
    assertThat(all.priority()).isZero();
    assertThat(all.stripPrefix()).isFalse();
    assertThat(all.timeouts()).isNull();
    assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
    assertThat(config.forwarding()).isEqualTo(ForwardingConfig.DEFAULTS);
    assertThat(config.runtime()).isEqualTo(RuntimeConfig.DEFAULTS);
    assertThat(config.version()).matches("[0-9a-f]{12}");
    assertThat(config.source().fields()).containsKeys("listeners", "admin", "services", "routes");
  }

  @Test
  void usesDefaultListenerAndAdminWhenAbsent() {
    GatewayConfig config =
        valid(
            parse(
                """
                services:
                  - name: backend
                    targets: [ "127.0.0.1:9001" ]
                """));

    assertThat(config.listeners())
        .containsExactly(
            new ListenerConfig("http-8080", new InetSocketAddress("127.0.0.1", 8080), null, true));
    assertThat(config.admin().address()).isEqualTo(new InetSocketAddress("127.0.0.1", 9901));
    assertThat(config.routes()).isEmpty();
  }

  @Test
  void versionIsADigestOfTheText() {
    String first = valid(parse(MINIMAL)).version();
    String again = valid(parse(MINIMAL)).version();
    String other = valid(parse(MINIMAL + "# a comment\n")).version();

    assertThat(first).isEqualTo(again).isNotEqualTo(other);
    assertThat(first).isEqualTo(ConfigParser.version(MINIMAL));
  }

  @Test
  void reportsAnUnknownTopLevelKeyWithDidYouMean() {
    ConfigResult result = parse(MINIMAL + "limts:\n  max-body-size: 1m\n");

    assertThat(result.ok()).isFalse();
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:12:1: limts: unknown key \"limts\" (expected one of: admin, ai, alerts,"
                + " consumers, forwarding, limits, listeners, metrics, plugins, portal, routes, runtime,"
                + " services, tracing); did you mean \"limits\"?");
  }

  @Test
  void readsThePortalSection() {
    ConfigResult on = parse(MINIMAL + "portal:\n  sign-up: true\n");
    assertThat(problems(on)).isEmpty();
    assertThat(on.config().portal()).isEqualTo(new PortalConfig(true, true));
    assertThat(parse(MINIMAL).config().portal()).isEqualTo(PortalConfig.DEFAULTS);
    assertThat(parse(MINIMAL + "portal: off\n").config().portal().enabled()).isFalse();
    assertThat(problems(parse(MINIMAL + "portal:\n  sign-upp: true\n")))
        .singleElement()
        .asString()
        .contains("sign-upp");
  }

  @Test
  void readsThePortalsListenerGatewayUrlQuotaAndInvitationTtlAndReportsEachBadOne() {
    ConfigResult on =
        parse(
            MINIMAL
                + "portal:\n  address: 0.0.0.0:9902\n  gateway-url: https://api.example.com/\n"
                + "  quota:\n    redis: redis://127.0.0.1:6379\n    period: month\n"
                + "    timeout: 250ms\n"
                + "  invitation-ttl: 1d\n");
    assertThat(problems(on)).isEmpty();
    PortalConfig p = on.config().portal();
    assertThat(p.address().getPort()).isEqualTo(9902);
    assertThat(p.address().getAddress().isAnyLocalAddress()).isTrue();
    assertThat(p.gatewayUrl()).isEqualTo("https://api.example.com");
    assertThat(p.quota())
        .isEqualTo(
            new PortalConfig.Quota(
                "month", "redis://127.0.0.1:6379", "fail-open", Duration.ofMillis(250)));
    assertThat(p.invitationTtl()).isEqualTo(86_400);
    List<String> bad =
        problems(
            parse(
                MINIMAL
                    + "portal:\n  address: nowhere\n  gateway-url: ftp://x\n"
                    + "  quota:\n    period: week\n  invitation-ttl: 1s\n"));
    assertThat(bad).hasSize(5);
    assertThat(problems(parse(MINIMAL + "portal:\n  address: 127.0.0.1:9901\n")))
        .singleElement()
        .asString()
        .contains("portal.address")
        .contains("not used by the admin listener");
    assertThat(String.join("\n", bad))
        .contains("portal.address")
        .contains("portal.gateway-url")
        .contains("portal.quota.period")
        .contains("portal.quota.redis")
        .contains("portal.invitation-ttl");
  }

  @Test
  void portalQuotaTimeoutDefaultsToTheQuotaPluginsAndReportsAnOutOfRangeValueAtItsPlace() {
    String quota = MINIMAL + "portal:\n  quota:\n    redis: redis://127.0.0.1:6379\n";
    assertThat(valid(parse(quota)).portal().quota())
        .isEqualTo(
            new PortalConfig.Quota(
                "day", "redis://127.0.0.1:6379", "fail-open", Duration.ofMillis(100)));
    assertThat(problems(parse(quota + "    timeout: 20s\n")))
        .containsExactly(
            "portico.yaml:15:14: portal.quota.timeout: \"20s\" (expected: a duration from 1ms to"
                + " 10s)");
    assertThat(problems(parse(quota + "    timeout: soon\n")))
        .containsExactly(
            "portico.yaml:15:14: portal.quota.timeout: \"soon\" (expected: a duration such as"
                + " 250ms, 5s, 1m, 2h or 1d)");
  }

  @Test
  void theDeveloperPortalExampleIsValid() throws Exception {
    Path example =
        Path.of("").toAbsolutePath().getParent().resolve("examples/developer-portal.yaml");
    assertThat(valid(parse(Files.readString(example))).portal().signUp()).isTrue();
  }

  @Test
  void reportsAnUnknownNestedKeyWithDidYouMean() {
    ConfigResult result =
        parse(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:9001" ]
                pool:
                  max-conections: 10
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:5:7: services[0].pool.max-conections: unknown key \"max-conections\""
                + " (expected one of: idle-timeout, max-connections, max-pending); did you mean"
                + " \"max-connections\"?");
  }

  @Test
  void reportsEveryProblemAtOnceInDocumentOrder() {
    ConfigResult result =
        parse(
            """
            listeners:
              - address: 127.0.0.1:99999
            services:
              - name: backend
                targets: [ "127.0.0.1:9001", "no-port" ]
                timeouts:
                  connect: 5 seconds
            routes:
              - name: users
                paths: [ "/users", "users/{id" ]
                methods: [ GET, FETCH ]
                service: backnd
            forwarding:
              trusted-proxies: [ 10.0.0.0/8, 10.0.0.0/33, "2001:db8::/32", "2001:db8::/129" ]
            """);

    assertThat(result.config()).isNull();
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:14: listeners[0].address: \"127.0.0.1:99999\" (expected: host:port"
                + " with an IP address, [IPv6]:port or :port, with a port from 0 to 65535)",
            "portico.yaml:5:34: services[0].targets[1]: \"no-port\" (expected: a host:port or"
                + " [IPv6]:port with a port from 1 to 65535)",
            "portico.yaml:7:16: services[0].timeouts.connect: \"5 seconds\" (expected: a duration"
                + " such as 250ms, 5s, 1m, 2h or 1d)",
            "portico.yaml:10:24: routes[0].paths[1]: \"users/{id\" (expected: a path starting with"
                + " / and balanced braces)",
            "portico.yaml:11:21: routes[0].methods[1]: \"FETCH\" (expected: an HTTP method: GET,"
                + " HEAD, POST, PUT, DELETE, OPTIONS, PATCH)",
            "portico.yaml:12:14: routes[0].service: \"backnd\" (expected: the name of a service:"
                + " backend); did you mean \"backend\"?",
            "portico.yaml:14:34: forwarding.trusted-proxies[1]: \"10.0.0.0/33\" (expected: a CIDR"
                + " such as 10.0.0.0/8 or 2001:db8::/32, or an IP address)",
            "portico.yaml:14:64: forwarding.trusted-proxies[3]: \"2001:db8::/129\" (expected: a"
                + " CIDR such as 10.0.0.0/8 or 2001:db8::/32, or an IP address)");
  }

  @Test
  void parsesListenerAddressForms() {
    GatewayConfig config =
        valid(
            parse(
                """
                listeners:
                  - address: 127.0.0.1:8080
                  - address: "[::1]:8080"
                  - address: 0.0.0.0:80
                    http2: false
                  - name: public
                    address: :8443
                  - address: localhost:8081
                admin: off
                """));

    assertThat(config.listeners())
        .extracting(ListenerConfig::address)
        .containsExactly(
            new InetSocketAddress("127.0.0.1", 8080),
            new InetSocketAddress("::1", 8080),
            new InetSocketAddress("0.0.0.0", 80),
            new InetSocketAddress(8443),
            new InetSocketAddress("127.0.0.1", 8081));
    assertThat(config.listeners())
        .extracting(ListenerConfig::name)
        .containsExactly("http-8080", "http-8080-2", "http-80", "public", "http-8081")
        .hasSize(5);
    assertThat(config.listeners()).extracting(ListenerConfig::http2).contains(false);
  }

  @Test
  void rejectsHostNamesAndMalformedListenerAddresses() {
    ConfigResult result =
        parse(
            """
            listeners:
              - address: example.com:80
              - address: "::1:80"
              - address: 127.0.0.1
              - address: 127.0.0.1:8080
              - address: 127.0.0.1:8080
              - {}
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:14: listeners[0].address: \"example.com:80\" (expected: host:port with"
                + " an IP address, [IPv6]:port or :port, with a port from 0 to 65535)",
            "portico.yaml:3:14: listeners[1].address: \"::1:80\" (expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535)",
            "portico.yaml:4:14: listeners[2].address: \"127.0.0.1\" (expected: host:port with an"
                + " IP address, [IPv6]:port or :port, with a port from 0 to 65535)",
            "portico.yaml:6:14: listeners[4].address: \"127.0.0.1:8080\" (expected: an address not"
                + " used by another listener; listeners[3].address has it)",
            "portico.yaml:7:5: listeners[5].address: missing (expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535)");
  }

  @Test
  void disablesAdminEitherWay() {
    assertThat(valid(parse("admin: off\n")).admin().address()).isNull();
    assertThat(valid(parse("admin:\n  address: off\n")).admin().address()).isNull();
  }

  @Test
  void requiresATokenForANonLoopbackAdminAddress() {
    ConfigResult result = parse("admin:\n  address: 0.0.0.0:9901\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:12: admin.address: \"0.0.0.0:9901\" (expected: a loopback address such"
                + " as 127.0.0.1:9901, or a token in admin.token or admin.tokens)");

    env.put("ADMIN_TOKEN", "s3cret-s3cret-s3cret");
    AdminConfig admin =
        valid(parse("admin:\n  address: 0.0.0.0:9901\n  token: ${ADMIN_TOKEN}\n")).admin();
    assertThat(admin.token()).isEqualTo("s3cret-s3cret-s3cret");
  }

  @Test
  void readsAdminAllowedHostsAndReportsWhatIsNotAHostName() {
    AdminConfig admin =
        valid(
                parse(
                    "admin:\n  allowed-hosts: [ Admin.Internal, 10.0.0.7, \"::1\", \"[2001:DB8::1]\" ]\n"))
            .admin();
    assertThat(admin.allowedHosts())
        .containsExactly("admin.internal", "10.0.0.7", "[::1]", "[2001:db8::1]");

    ConfigResult result =
        parse("admin:\n  allowed-hosts: [ \"admin.internal:9901\", \"*.internal\", \"a b\" ]\n");
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:20: admin.allowed-hosts[0]: \"admin.internal:9901\" (expected: a host"
                + " name such as admin.internal, an IPv4 address or [IPv6])",
            "portico.yaml:2:43: admin.allowed-hosts[1]: \"*.internal\" (expected: a host name such"
                + " as admin.internal, an IPv4 address or [IPv6])",
            "portico.yaml:2:57: admin.allowed-hosts[2]: \"a b\" (expected: a host name such as"
                + " admin.internal, an IPv4 address or [IPv6])");
  }

  @Test
  void refusesConsumerNamesIdsAndGroupsThatCouldNotTravelInAHeader() {
    ConfigResult result =
        parse(
            "consumers:\n"
                + "  - name: \"a\\r\\nX-Admin: true\"\n"
                + "    custom-id: \"c\\u0000\"\n"
                + "    groups: [ \"ok\", \"g\\n\" ]\n");

    assertThat(problems(result))
        .hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("consumers[0].name: ").contains("control"))
        .anySatisfy(p -> assertThat(p).contains("consumers[0].custom-id: ").contains("control"))
        .anySatisfy(p -> assertThat(p).contains("consumers[0].groups[1]: ").contains("control"));
  }

  @Test
  void rejectsAnAdminAddressThatAListenerUses() {
    ConfigResult result =
        parse("listeners:\n  - address: 127.0.0.1:9901\nadmin:\n  address: 127.0.0.1:9901\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:4:12: admin.address: \"127.0.0.1:9901\" (expected: an address not used"
                + " by a listener; listener http-9901 has it)");
  }

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

  @Test
  void parsesRoutesInFull() {
    RouteConfig route =
        valid(
                parse(
                    minimalWith(
                        """
                          - name: users
                            hosts: [ api.example.com, "*.example.org" ]
                            paths: [ "/users/{id}", "~^/u/(?<id>[0-9]+)$" ]
                            path-match: exact
                            methods: [ get, POST ]
                            headers: { X-Tenant: blue }
                            query: { debug: null, v: "2" }
                            priority: 10
                            service: backend
                            rewrite-path: /v2/users/{id}
                            preserve-host: true
                            timeouts: { response: 5s }
                        """)))
            .routes()
            .get(1);

    assertThat(route.hosts()).containsExactly("api.example.com", "*.example.org");
    assertThat(route.paths()).containsExactly("/users/{id}", "~^/u/(?<id>[0-9]+)$");
    assertThat(route.pathMatch()).isEqualTo("exact");
    assertThat(route.methods()).containsExactly("GET", "POST");
    assertThat(route.headers()).containsExactly(Map.entry("X-Tenant", "blue"));
    assertThat(route.query()).containsEntry("debug", null).containsEntry("v", "2");
    assertThat(route.priority()).isEqualTo(10);
    assertThat(route.rewritePath()).isEqualTo("/v2/users/{id}");
    assertThat(route.preserveHost()).isTrue();
    assertThat(route.timeouts())
        .isEqualTo(new TimeoutsConfig.TimeoutsOverride(null, Duration.ofSeconds(5), null));
  }

  @Test
  void reportsAnInvalidPathPatternWithItsPlace() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: a
                    paths: [ "/a" ]
                    service: backend
                  - name: b
                    paths: [ "/b" ]
                    service: backend
                  - name: c
                    paths:
                      - "users/{id"
                      - "~(unclosed"
                    hosts: [ "bad host" ]
                    service: backend
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:20:9: routes[3].paths[0]: \"users/{id\" (expected: a path starting with"
                + " / and balanced braces)",
            "portico.yaml:21:9: routes[3].paths[1]: \"~(unclosed\" (expected: a valid regular"
                + " expression after ~ (Unclosed group))",
            "portico.yaml:22:14: routes[3].hosts[0]: \"bad host\" (expected: a host name such as"
                + " api.example.com or *.example.com)");
  }

  @Test
  void requiresAServiceOrAPluginOnEveryRoute() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: lonely
                    paths: [ /x ]
                  - name: empty-plugins
                    plugins: {}
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:12:5: routes[1]: a route needs a service, an aggregate or a plugin that answers it",
            "portico.yaml:14:5: routes[2]: a route needs a service, an aggregate or a plugin that answers it");
  }

  @Test
  void acceptsARouteAnsweredByAPlugin() {
    RouteConfig route =
        valid(
                parse(
                    minimalWith(
                        """
                          - name: answered
                            paths: [ /hello ]
                            plugins:
                              test-header: { name: X-Hello, value: world }
                        """)))
            .routes()
            .get(1);

    assertThat(route.service()).isNull();
    assertThat(route.plugins()).hasSize(1);
    assertThat(route.plugins().get(0).name()).isEqualTo("test-header");
    assertThat(route.plugins().get(0).config())
        .isEqualTo(new TestHeaderPluginFactory.Config("X-Hello", "world"));
    assertThat(route.plugins().get(0).node().path()).isEqualTo("routes[1].plugins.test-header");
  }

  @Test
  void reportsAnUnknownServiceWhenNoneIsDefined() {
    ConfigResult result = parse("routes:\n  - name: a\n    service: backend\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:3:14: routes[0].service: \"backend\" (expected: the name of a service;"
                + " none is defined)");
  }

  @Test
  void requiresRewriteVariablesFromEveryPath() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: users
                    paths: [ "/users/{id}", "/people/{id}/{*rest}" ]
                    rewrite-path: /v2/users/{id}/{rest}
                    service: backend
                  - name: both
                    paths: [ "/a/" ]
                    strip-prefix: true
                    rewrite-path: /b/
                    service: backend
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:14:19: routes[1].rewrite-path: \"/v2/users/{id}/{rest}\" (expected:"
                + " variables that every path of the route defines: {id}; {rest} is not one of"
                + " them)",
            "portico.yaml:18:19: routes[2].strip-prefix: \"true\" (expected: false when"
                + " rewrite-path is set (use one or the other))");
  }

  @Test
  void reportsDuplicateRouteAndConsumerNames() {
    ConfigResult result =
        parse(
            minimalWith(
                """
                  - name: all
                    service: backend
                consumers:
                  - name: alice
                  - name: alice
                """));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:12:11: routes[1].name: \"all\" (expected: a route name not used before;"
                + " routes[0].name has it)",
            "portico.yaml:16:11: consumers[1].name: \"alice\" (expected: a consumer name not used"
                + " before; consumers[0].name has it)");
  }

  @Test
  void parsesConsumersWithRawCredentials() {
    ConsumerConfig alice =
        valid(
                parse(
                    """
                    consumers:
                      - name: alice
                        custom-id: u-123
                        groups: [ admins, staff ]
                        credentials:
                          key-auth: { key: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" }
                    """))
            .consumers()
            .get(0);

    assertThat(alice.customId()).isEqualTo("u-123");
    assertThat(alice.groups()).containsExactly("admins", "staff");
    assertThat(alice.credentials().get("key-auth").fields().get("key").text())
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(alice.credentials().get("key-auth").path())
        .isEqualTo("consumers[0].credentials.key-auth");
  }

  @Test
  void parsesPluginsAtEveryLevel() {
    GatewayConfig config =
        valid(
            parse(
                """
                plugins:
                  test-header: { name: X-Global }
                services:
                  - name: backend
                    targets: [ "127.0.0.1:9001" ]
                    plugins:
                      test-finishing: { status: 204 }
                """));

    assertThat(config.plugins()).extracting(PluginSpec::name).containsExactly("test-header");
    assertThat(config.services().get(0).plugins().get(0).config()).isEqualTo(204);
  }

  @Test
  void reportsUnknownPluginsAndPluginConfigProblems() {
    ConfigResult result =
        parse(
            """
            plugins:
              test-headr: { name: X }
              test-header: { vale: v }
              test-finishing: { status: 204, extra: 1 }
              test-throwing: {}
            """);

    assertThat(registry.names()).contains("cors", "mock", "test-header", "test-throwing");
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:3: plugins.test-headr: unknown plugin \"test-headr\" (expected one"
                + " of: "
                + String.join(", ", new java.util.TreeSet<>(registry.names()))
                + "); did you mean \"test-header\"?",
            "portico.yaml:3:16: plugins.test-header.name: missing (expected: a header name)",
            "portico.yaml:3:18: plugins.test-header.vale: unknown key \"vale\" (expected one of:"
                + " name, value); did you mean \"value\"?",
            "portico.yaml:4:34: plugins.test-finishing.extra: unknown key \"extra\" (expected one"
                + " of: status)",
            "portico.yaml:5:18: plugins.test-throwing: plugin \"test-throwing\" failed to read its"
                + " config (expected: no error): java.lang.IllegalStateException: bug in the"
                + " plugin");
  }

  /**
   * Records a problem for {@code bad: true} and still returns a stand-in config, as {@link
   * PluginFactory#parse} allows; returns null without a word for {@code silent: true}; and names a
   * consumer in {@code anonymous}.
   */
  private static final class StandInFactory
      implements PluginFactory<String>, ConsumerReferences<String> {
    final List<String> checked = new ArrayList<>();

    @Override
    public String name() {
      return "stand-in";
    }

    @Override
    public int priority() {
      return 1;
    }

    @Override
    public String parse(ConfigReader config) {
      if (config.bool("bad", false)) {
        config.problems().expected(config.child("bad"), "false");
      }
      String anonymous = config.string("anonymous", "nobody");
      return config.bool("silent", false) ? null : "stand-in for " + anonymous;
    }

    @Override
    public void checkConsumerReferences(
        String config, ConfigNode node, Set<String> consumers, Problems problems) {
      checked.add(config);
    }

    @Override
    public Plugin create(String config, PluginContext context) {
      throw new UnsupportedOperationException("the parser creates no plugin");
    }
  }

  @Test
  void neverUsesAPluginConfigWhoseReadingRecordedAProblem() {
    StandInFactory factory = new StandInFactory();
    ConfigResult result =
        ConfigFiles.parse(
            """
            plugins:
              stand-in: { bad: true, anonymous: ann }
            routes:
              - name: r
                paths: [ "/" ]
                plugins:
                  stand-in: { anonymous: bob }
            """,
            "portico.yaml",
            dir,
            env,
            PluginRegistry.of(List.of(factory)));

    assertThat(problems(result))
        .containsExactly("portico.yaml:2:20: plugins.stand-in.bad: \"true\" (expected: false)");
    assertThat(result.config()).isNull();
    assertThat(factory.checked).containsExactly("stand-in for bob");
  }

  @Test
  void reportsAPluginThatRejectsItsConfigWithoutAProblem() {
    ConfigResult result =
        ConfigFiles.parse(
            "plugins:\n  stand-in: { silent: true }\n",
            "portico.yaml",
            dir,
            env,
            PluginRegistry.of(List.of(new StandInFactory())));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:13: plugins.stand-in: plugin \"stand-in\" rejected its config without"
                + " saying why");
  }

  @Test
  void saysWhenNoPluginIsInstalled() {
    ConfigResult result =
        ConfigFiles.parse(
            "plugins:\n  cors: {}\n", "portico.yaml", dir, env, PluginRegistry.of(List.of()));

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:3: plugins.cors: unknown plugin \"cors\" (expected: an installed"
                + " plugin; none is installed)");
  }

  @Test
  void parsesLimitsWithSizesAndDurations() {
    LimitsConfig limits =
        valid(
                parse(
                    """
                    limits:
                      max-request-line: 16k
                      max-header-size: 64KiB
                      max-header-count: 200
                      max-header-field-size: 4k
                      max-chunk-extensions: 16
                      max-chunk-extensions-size: 1k
                      max-body-size: 10MiB
                      header-timeout: 5s
                      body-timeout: 30s
                      keep-alive-timeout: 1m
                      max-requests-per-connection: 1000
                      http2-max-concurrent-streams: 250
                      http2-max-resets-per-window: 50
                      http2-reset-window: 10s
                      http2-max-control-frames-per-window: 500
                      http2-control-frame-window: 5s
                      http2-stream-window: 256k
                      http2-connection-window: 4MiB
                      path-policy: off
                      max-decoded-response-size: 16MiB
                      max-decoding-ratio: 50
                    """))
            .limits();

    assertThat(limits)
        .isEqualTo(
            new LimitsConfig(
                16 * 1024,
                64 * 1024,
                200,
                4 * 1024,
                16,
                1024,
                10L * 1024 * 1024,
                Duration.ofSeconds(5),
                Duration.ofSeconds(30),
                Duration.ofMinutes(1),
                1000,
                250,
                50,
                Duration.ofSeconds(10),
                500,
                Duration.ofSeconds(5),
                256 * 1024,
                4 * 1024 * 1024,
                "off",
                16L * 1024 * 1024,
                50));
  }

  @Test
  void reportsBadLimits() {
    ConfigResult result =
        parse(
            """
            limits:
              max-request-line: 10
              max-header-size: 4g
              max-body-size: lots
              header-timeout: 0s
              max-decoded-response-size: 10
              max-decoding-ratio: -1
              http2-stream-window: 32m
              http2-connection-window: 16k
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:21: limits.max-request-line: \"10\" (expected: a size from 256 bytes"
                + " to 1g)",
            "portico.yaml:3:20: limits.max-header-size: \"4g\" (expected: a size from 1k to 1g)",
            "portico.yaml:4:18: limits.max-body-size: \"lots\" (expected: a size such as 8192, 64k,"
                + " 10MiB or 1g)",
            "portico.yaml:5:19: limits.header-timeout: \"0s\" (expected: a duration from 1ms to"
                + " 365d)",
            "portico.yaml:6:30: limits.max-decoded-response-size: \"10\" (expected: a size from 1k"
                + " to 1024g)",
            "portico.yaml:7:23: limits.max-decoding-ratio: \"-1\" (expected: an integer from 0 to"
                + " 1048576)",
            "portico.yaml:8:24: limits.http2-stream-window: \"32m\" (expected: a size from 1k to"
                + " 16m)",
            "portico.yaml:9:28: limits.http2-connection-window: \"16k\" (expected: a size from"
                + " 64k to 1g)");
  }

  @Test
  void parsesForwardingAndRuntime() throws Exception {
    Files.createDirectories(dir.resolve("logs"));
    GatewayConfig config =
        valid(
            parse(
                """
                forwarding:
                  trusted-proxies: [ 10.0.0.0/8, 192.168.1.1, "2001:db8::/32", "::1" ]
                  via: off
                  request-id-header: X-Trace-Id
                  client-address-header: forwarded
                runtime:
                  io-threads: 4
                  shutdown-timeout: 10s
                  access-log: logs/access.log
                  watch-config: false
                """));

    assertThat(config.forwarding())
        .isEqualTo(
            new ForwardingConfig(
                List.of("10.0.0.0/8", "192.168.1.1", "2001:db8::/32", "::1"),
                null,
                "X-Trace-Id",
                "forwarded"));
    assertThat(config.runtime())
        .isEqualTo(
            new RuntimeConfig(
                4,
                Duration.ofSeconds(10),
                AccessLogConfig.of(
                    List.of(
                        AccessLogConfig.FileSink.simple("file", dir.resolve("logs/access.log")))),
                false,
                null));
  }

  @Test
  void reportsAnAccessLogInAMissingDirectoryAndAMissingPluginDir() {
    ConfigResult result =
        parse(
            """
            runtime:
              access-log: nowhere/access.log
              plugin-dir: plugins
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:15: runtime.access-log: \"nowhere/access.log\" (expected: stdout, off"
                + " or a file path in an existing directory; "
                + dir.resolve("nowhere")
                + " is not one)",
            "portico.yaml:3:15: runtime.plugin-dir: \"plugins\" (expected: a directory of plugin"
                + " jars; "
                + dir.resolve("plugins")
                + " is not a directory)");
  }

  @Test
  void interpolatesTheEnvironmentIntoValues() {
    env.put("LISTEN", "127.0.0.1:18080");
    GatewayConfig config =
        valid(
            parse("listeners:\n  - address: ${LISTEN}\n  - address: ${OTHER:-127.0.0.1:18081}\n"));

    assertThat(config.listeners())
        .extracting(ListenerConfig::address)
        .containsExactly(
            new InetSocketAddress("127.0.0.1", 18080), new InetSocketAddress("127.0.0.1", 18081));
  }

  @Test
  void reportsAnUnsetVariableOnceNotAlsoAsABadValue() {
    ConfigResult result = parse("listeners:\n  - address: ${LISTEN}\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:14: listeners[0].address: ${LISTEN}: not set (expected: an environment"
                + " variable, or a default with ${LISTEN:-value})");
  }

  @Test
  void reportsLoadProblemsAndParseProblemsTogether() {
    ConfigResult result =
        parse(
            """
            admin: { address: 127.0.0.1:9901, address: 127.0.0.1:9902 }
            routes:
              - name: a
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:1:35: admin.address: duplicate key \"address\" (expected: each key once"
                + " per object; first at line 1, column 10)",
            "portico.yaml:3:5: routes[0]: a route needs a service, an aggregate or a plugin that answers it");
  }

  @Test
  void checksTheKeptValueOfADuplicateKey() {
    ConfigResult result = parse("admin: { address: nowhere, address: 127.0.0.1:9902 }\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:1:19: admin.address: \"nowhere\" (expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535)",
            "portico.yaml:1:28: admin.address: duplicate key \"address\" (expected: each key once"
                + " per object; first at line 1, column 10)");
  }

  @Test
  void parsesJsonInput() {
    ConfigResult result =
        ConfigFiles.parse(
            """
            {
              "services": [ { "name": "backend", "targets": [ "127.0.0.1:9001" ] } ],
              "routes": [ { "name": "all", "paths": [ "/" ], "service": "backnd" } ]
            }
            """,
            "portico.json",
            dir,
            env,
            registry);

    assertThat(problems(result))
        .containsExactly(
            "portico.json:3:61: routes[0].service: \"backnd\" (expected: the name of a service:"
                + " backend); did you mean \"backend\"?");
  }

  @Test
  void reportsARootThatIsNotAnObject() {
    ConfigResult result = parse("- a\n- b\n");

    assertThat(problems(result)).containsExactly("portico.yaml:1:1: a list (expected: an object)");
  }

  @Test
  void returnsOnlyTheSyntaxErrorForABrokenDocument() {
    ConfigResult result = parse("routes:\n  - name: [a\n");

    assertThat(result.ok()).isFalse();
    assertThat(problems(result)).hasSize(1);
    assertThat(problems(result).get(0))
        .startsWith("portico.yaml:3:1: ")
        .endsWith("(expected: valid YAML; close the [ or { that began there)");
  }
}
