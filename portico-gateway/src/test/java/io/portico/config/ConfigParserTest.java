package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Whole-file behaviour of the parser: defaults, versions, unknown keys, problems reported together,
 * environment interpolation, JSON input and syntax errors.
 */
class ConfigParserTest extends ConfigParsing {

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
                + " such as 250ms, 5s, 1m, 2h or 1d; write 5s)",
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
            "portico.yaml:3:5: routes[0]: a route needs a service, an aggregate or a plugin that"
                + " answers it (expected: a service declared under services: (name and targets),"
                + " named here by service:; or a plugin that answers by itself, such as plugins:"
                + " { mock: { body: hello } })");
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
