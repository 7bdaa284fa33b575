package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import io.portico.spi.plugin.PluginFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mistakes a new user makes, in one file, as {@code portico validate} reports them: every one
 * at once, each with its file, line, column and path, what was expected, and a "did you mean" where
 * a known name is close. Typos in keys, plugin names, service names and enumerated values; wrong
 * types; bad durations and sizes; ports out of range; duplicate names and addresses; invalid
 * regular expressions; files and directories that do not exist; unset environment variables.
 */
class ConfigMistakesTest {

  @TempDir Path dir;

  private static final String EVERY_MISTAKE =
"""
listeners:
  - address: 127.0.0.1:80800
  - address: 127.0.0.1:8443
    tls:
      certificates:
        - { cert: certs/missing.pem, key: certs/missing.key }
admin:
  address: 127.0.0.1:8443
services:
  - name: backend
    targets: [ "127.0.0.1:99999" ]
    timeouts: { connect: 5 sec }
    balancer: round-robbin
  - name: backend
    targets: [ "${BACKEND_ADDR}" ]
routes:
  - name: users
    pahts: [ /users ]
    service: backnd
  - name: users
    paths: [ "~/a/(b" ]
    methods: [ GTE ]
    priority: high
    strip-prefix: yes please
    path-match: prefx
    service: backend
    plugins:
      rate-limt: { limits: [] }
      rate-limit: { limits: [ { requests: 10, window: 1 minute } ] }
limits:
  max-body-size: 10 megs
runtime:
  access-log: /nonexistent/dir/access.log
consumers:
  - name: c
    credentials:
      key-auht: { key: x }
      key-auth: { key: plain-text }""";

  @Test
  void reportsEveryMistakeAtOnceWithItsPlaceAndWhatWasExpected() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(file, EVERY_MISTAKE);

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.config()).isNull();
    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactlyElementsOf(
            expected(
                file,
                "@:2:14: listeners[0].address: \"127.0.0.1:80800\" (expected: host:port with an IP address, [IPv6]:port or :port, with a port from 0 to 65535)",
                "@:6:19: listeners[1].tls.certificates[0].cert: \"certs/missing.pem\" (expected: a readable PEM file; %DIR%/certs/missing.pem does not exist; to try TLS with a self-signed one: openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout certs/missing.key -out certs/missing.pem (docs/tls-and-http2.md))",
                "@:6:43: listeners[1].tls.certificates[0].key: \"certs/missing.key\" (expected: a readable PEM file; %DIR%/certs/missing.key does not exist)",
                "@:8:12: admin.address: \"127.0.0.1:8443\" (expected: an address not used by a listener; listener https-8443 has it)",
                "@:11:16: services[0].targets[0]: \"127.0.0.1:99999\" (expected: a host:port or [IPv6]:port with a port from 1 to 65535)",
                "@:12:26: services[0].timeouts.connect: \"5 sec\" (expected: a duration such as 250ms, 5s, 1m, 2h or 1d; write 5s)",
                "@:13:15: services[0].balancer: \"round-robbin\" (expected: an object such as { policy: round-robin }, with policy one of round-robin, least-request, ewma, consistent-hash)",
                "@:14:11: services[1].name: \"backend\" (expected: a service name not used before; services[0].name has it)",
                "@:15:16: services[1].targets[0]: ${BACKEND_ADDR}: not set (expected: an environment variable, or a default with ${BACKEND_ADDR:-value})",
                "@:18:5: routes[0].pahts: unknown key \"pahts\" (expected one of: access-log, aggregate, ai, grpc, headers, hosts, methods, mirror, name, path-match, paths, plugins, preserve-host, priority, query, rewrite-path, service, strip-prefix, timeouts, traffic-split); did you mean \"paths\"?",
                "@:19:14: routes[0].service: \"backnd\" (expected: the name of a service: backend); did you mean \"backend\"?",
                "@:20:11: routes[1].name: \"users\" (expected: a route name not used before; routes[0].name has it)",
                "@:21:14: routes[1].paths[0]: \"~/a/(b\" (expected: a valid regular expression after ~ (Unclosed group))",
                "@:22:16: routes[1].methods[0]: \"GTE\" (expected: an HTTP method: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH)",
                "@:23:15: routes[1].priority: \"high\" (expected: an integer from -1000000 to 1000000)",
                "@:24:19: routes[1].strip-prefix: \"yes please\" (expected: true or false)",
                "@:25:17: routes[1].path-match: \"prefx\" (expected: one of prefix, exact); did you mean \"prefix\"?",
                "@:28:7: routes[1].plugins.rate-limt: unknown plugin \"rate-limt\" (expected one of: acl, basic-auth, compression, cors, echo, grpc-transcode, grpc-web, hmac-auth, ip-restriction, json-xml, jwt, key-auth, limit-conn, mock, mtls-auth, multi-auth, oauth2-introspection, openid-connect, quota, rate-limit, request-headers, request-id, request-transformer, response-headers, response-transformer); did you mean \"rate-limit\"?",
                "@:29:55: routes[1].plugins.rate-limit.limits[0].window: \"1 minute\" (expected: a duration from 1s to 366d such as 1s, 1m, 1h, 1d, 1w or 1y; write 1m)",
                "@:31:18: limits.max-body-size: \"10 megs\" (expected: a size such as 8192, 64k, 10MiB or 1g; write 10m)",
                "@:33:15: runtime.access-log: \"/nonexistent/dir/access.log\" (expected: stdout, off or a file path in an existing directory; /nonexistent/dir is not one)",
                "@:37:7: consumers[0].credentials.key-auht: unknown credential kind \"key-auht\" (expected: the name of an authentication plugin, such as basic-auth, hmac-auth, key-auth, mtls-auth); did you mean \"key-auth\"?",
                "@:38:24: consumers[0].credentials.key-auth.key: \"plain-text\" (expected: sha256: followed by 64 hex digits (portico hash-key prints it))"));
  }

  @Test
  void pathsAndTimeoutsInOtherGatewaysFormsSayHowToWriteThem() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        services:
          - name: b
            targets: [ "127.0.0.1:9" ]
            timeouts: 5
        routes:
          - name: r
            paths: [ users, "/u/:id" ]
            service: b
        """);

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":4:15: services[0].timeouts: \"5\" (expected: an object, such as timeouts: {"
                + " connect: 5s, response: 60s, idle: 60s })",
            file
                + ":7:14: routes[0].paths[0]: \"users\" (expected: a path starting with / and"
                + " balanced braces: \"/users\")",
            file
                + ":7:21: routes[0].paths[1]: \"/u/:id\" (expected: a path variable written in"
                + " braces: \"/u/{id}\" (a segment :name matches only that text; a regular"
                + " expression written ~ matches a literal colon))");
  }

  @Test
  void aRegexPathWithoutItsTildeSaysToWriteIt() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        "routes:\n  - name: r\n    paths: [ \"^/users/[0-9]+$\" ]\n    plugins: { mock: {} }\n");

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":3:14: routes[0].paths[0]: \"^/users/[0-9]+$\" (expected: a path starting with /"
                + " and balanced braces; a regular expression is written with ~ before it:"
                + " \"~^/users/[0-9]+$\")");
  }

  @Test
  void pluginsWrittenAsAListSayHowToWriteThem() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file, "routes:\n  - name: r\n    paths: [ /a ]\n    plugins:\n      - mock: {}\n");

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .contains(
            file
                + ":5:7: routes[0].plugins: a list (expected: an object of plugin-name: config,"
                + " each plugin on its own line without a leading dash, such as plugins: {"
                + " mock: {...} })");
  }

  @Test
  void aPluginKeyWrittenBesideItsPluginSaysToIndentIt() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        routes:
          - name: r
            paths: [ /a ]
            plugins:
              key-auth:
              header-names: [ X-API-Key ]
              mock: {}
        """);

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .singleElement()
        .asString()
        .startsWith(file + ":6:7: routes[0].plugins.header-names: unknown plugin \"header-names\"")
        .endsWith("; \"header-names\" is a key of key-auth: indent it under key-auth");
  }

  @Test
  void aServiceWrittenWithAUrlSaysHowToWriteItsTargets() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file, "services:\n  - name: orders\n    url: http://orders.internal:8080/v1\n");

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .containsExactly(
            file
                + ":3:5: services[0].url: unknown key \"url\" (the required key \"targets\" is"
                + " missing; expected: a list of host:port targets; a url is written targets: ["
                + " \"http://host:port\" ] (https:// for TLS), and a path prefix as the routes'"
                + " rewrite-path)");
  }

  @Test
  void anUnknownKeyOrPluginWithABlockValueIsReportedOnTheLineOfTheKey() throws Exception {
    Path file = dir.resolve("portico.yaml");
    Files.writeString(
        file,
        """
        servces:
          - name: a
            targets: [ "127.0.0.1:9000" ]
        routes:
          - name: r
            paths: [ /a ]
            plugins:
              rate-limt:
                limits: [ { requests: 1, window: 1s } ]
              mock: {}
        """);

    ConfigResult result = ConfigFiles.load(file, Map.of(), builtInPlugins());

    assertThat(result.problems().list().stream().map(Problem::toString).toList())
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).startsWith(file + ":1:1: servces: unknown key \"servces\""))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith(
                        file + ":8:7: routes[0].plugins.rate-limt: unknown plugin \"rate-limt\""));
  }

  /** The plugins a user has: the built-in ones, without the test plugins on this class path. */
  private PluginRegistry builtInPlugins() {
    PluginRegistry all = PluginRegistry.load(getClass().getClassLoader());
    List<PluginFactory<?>> builtIn = new ArrayList<>();
    for (String name : all.names()) {
      PluginFactory<?> factory = all.find(name);
      if (factory != null
          && !factory
              .getClass()
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toString()
              .contains("test-classes")) {
        builtIn.add(factory);
      }
    }
    return PluginRegistry.of(builtIn);
  }

  /** The lines with {@code @} standing for the file and {@code %DIR%} for its directory. */
  private List<String> expected(Path file, String... lines) {
    return java.util.Arrays.stream(lines)
        .map(l -> l.replace("@", file.toString()).replace("%DIR%", dir.toString()))
        .toList();
  }
}
