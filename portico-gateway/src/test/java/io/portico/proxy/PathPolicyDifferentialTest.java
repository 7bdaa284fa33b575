package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What was routed must be what the upstream reads. For a table of paths that common upstream
 * servers read differently from a strict, case-sensitive router (Tomcat and Spring drop {@code
 * ;params}, IIS and other Windows servers trim trailing dots and spaces and ignore case), each
 * request is either refused with 400, or forwarded to an origin; then the route the gateway chose
 * (which tags the request) must be the route the upstream's reading of the forwarded path belongs
 * to. With {@code limits.path-policy: off} the same table shows the disagreements the policy
 * prevents.
 */
class PathPolicyDifferentialTest {

  /** Paths whose reading depends on the server. */
  static final List<String> TRICKY =
      List.of(
          "/admin;x=1/users",
          "/internal;/secret",
          "/api/..;/internal/secret",
          "/api/..%3B/internal/secret",
          "/api/x;jsessionid=1",
          "/admin%3bx/users",
          "/admin./users",
          "/admin../users",
          "/admin%2e/users",
          "/admin%20/users",
          "/%20admin/users",
          "/admin%C2%A0/users",
          "/ADMIN/users",
          "/Admin",
          "/iNtErNaL/secret",
          "/api/../ADMIN/users");

  /** Paths every server reads alike, which the policy must not refuse. */
  static final List<String> PLAIN =
      List.of(
          "/api/users",
          "/api/users/",
          "/api/v1.2/items",
          "/api/report.pdf",
          "/api/a%20b/c",
          "/api/caf%C3%A9",
          "/api/x?q=a;b",
          "/%61dmin/users",
          "/api/%2e%2e/admin/users",
          "/API-docs",
          "/apiary/x",
          "/");

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  private void start(String policy) throws Exception {
    StringBuilder routes = new StringBuilder("routes:\n");
    for (String name : List.of("internal", "admin", "api")) {
      routes.append(
          """
            - name: %s
              paths: [ /%s ]
              service: backend
              plugins:
                request-headers: { set: { X-Route: %s } }
          """
              .formatted(name, name, name));
    }
    routes.append(
        """
          - name: public
            paths: [ / ]
            service: backend
            plugins:
              request-headers: { set: { X-Route: public } }
        """);
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            limits:
              path-policy: "%s"
            """
                    .formatted(env.origin().authority(), policy)
                + routes);
  }

  /** What happened to one request: refused, or forwarded with the route chosen and the URI sent. */
  record Outcome(String path, boolean refused, String route, String forwarded) {

    /** Whether the route the gateway chose is the route of the upstream's reading of the path. */
    boolean agrees() {
      return refused || route.equals(upstreamRoute(forwarded));
    }
  }

  private Outcome send(String path) throws Exception {
    int before = env.origin().requestCount();
    String status;
    try (RawClient raw = gw.raw()) {
      String response =
          raw.send("GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n\r\n")
              .readUntil("\r\n", 5000);
      status = response.substring(0, response.indexOf("\r\n"));
    }
    if (status.startsWith("HTTP/1.1 400")) {
      assertThat(env.origin().requestCount())
          .as("refused %s reached the origin", path)
          .isEqualTo(before);
      return new Outcome(path, true, null, null);
    }
    assertThat(env.origin().requestCount())
        .as("%s was forwarded (%s)", path, status)
        .isEqualTo(before + 1);
    HttpRequest seen = env.origin().lastRequest();
    return new Outcome(path, false, seen.headers().get("x-route"), seen.uri());
  }

  /**
   * The route an upstream that is as lenient as the common servers together reads {@code uri} as:
   * {@code ;params} dropped from each segment, every escape decoded, dots and whitespace trimmed
   * from each segment's ends, dot segments resolved, and letter case ignored.
   */
  static String upstreamRoute(String uri) {
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    Deque<String> segments = new ArrayDeque<>();
    for (String raw : path.substring(1).split("/", -1)) {
      int semicolon = raw.indexOf(';');
      String decoded =
          URLDecoder.decode(
              (semicolon < 0 ? raw : raw.substring(0, semicolon)).replace("+", "%2B"),
              StandardCharsets.UTF_8);
      if (decoded.equals("..")) {
        segments.pollLast();
        continue;
      }
      String trimmed = decoded.replaceAll("^[\\s\\u00a0]+|[\\s\\u00a0.]+$", "");
      if (!trimmed.isEmpty()) {
        segments.add(trimmed.toLowerCase(Locale.ROOT));
      }
    }
    String first = segments.isEmpty() ? "" : segments.peekFirst();
    return List.of("internal", "admin", "api").contains(first) ? first : "public";
  }

  @Test
  void routesEveryTrickyPathAsTheUpstreamReadsItOrRefusesIt() throws Exception {
    start("strict");

    List<Outcome> outcomes = new ArrayList<>();
    for (String path : TRICKY) {
      outcomes.add(send(path));
    }

    assertThat(outcomes).allSatisfy(o -> assertThat(o.agrees()).as(o.toString()).isTrue());
    assertThat(outcomes).allMatch(Outcome::refused);
  }

  @Test
  void forwardsPlainPathsAndRoutesThemAsTheUpstreamReadsThem() throws Exception {
    start("strict");

    for (String path : PLAIN) {
      Outcome o = send(path);
      assertThat(o.refused()).as("%s refused", path).isFalse();
      assertThat(o.agrees()).as(o.toString()).isTrue();
    }
  }

  @Test
  void withThePolicyOffTheRouterAndTheUpstreamDisagree() throws Exception {
    start("off");

    List<Outcome> outcomes = new ArrayList<>();
    for (String path : TRICKY) {
      outcomes.add(send(path));
    }

    assertThat(outcomes).noneMatch(Outcome::refused);
    assertThat(outcomes)
        .filteredOn(o -> !o.agrees())
        .extracting(Outcome::path)
        .contains("/admin;x=1/users", "/api/..;/internal/secret", "/admin./users", "/ADMIN/users");
  }
}
