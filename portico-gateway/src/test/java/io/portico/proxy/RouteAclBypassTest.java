package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An attacker's spellings of a protected path and host over a raw socket (nothing normalises them
 * on the way): the protected route ({@code /admin}, and every path on {@code admin.example.test},
 * both denying every client) must not be reached through the open catch-all route by a spelling
 * that the upstream reads as the protected one. Each probe is refused (400) or denied (403); none
 * reaches the upstream.
 */
class RouteAclBypassTest {

  private static TestOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: admin
                paths: [ "/admin" ]
                service: backend
                plugins:
                  ip-restriction: { deny: [ "0.0.0.0/0", "::/0" ] }
              - name: admin-host
                hosts: [ admin.example.test ]
                service: backend
                plugins:
                  ip-restriction: { deny: [ "0.0.0.0/0", "::/0" ] }
              - name: open
                paths: [ "/" ]
                service: backend
            """
                .formatted(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  static List<String> paths() {
    return List.of(
        "/admin",
        "/admin/",
        "/admin/users",
        "//admin",
        "/./admin",
        "/x/../admin",
        "/x/..%2fadmin",
        "/x/%2e%2e/admin",
        "/x/%2E%2E/admin",
        "/x/.%2e/admin",
        "/%61dmin",
        "/admin%2f",
        "/admin/..%2f",
        "/admin;x=1",
        "/admin;/users",
        "/ADMIN",
        "/Admin/users",
        "/admin.",
        "/admin%20",
        "/admin%00",
        "/admin%5c",
        "/x\\..\\admin",
        "/x/..;/admin",
        "/admin#x",
        "/admin?x=1",
        "http://a/admin",
        "/%2fadmin");
  }

  @ParameterizedTest
  @MethodSource("paths")
  void aSpellingOfTheProtectedPathNeverReachesTheUpstream(String target) throws Exception {
    int before = origin.requestCount();
    try (RawClient c = gw.raw()) {
      c.send("GET " + target + " HTTP/1.1\r\nHost: www.example.test\r\nConnection: close\r\n\r\n");
      String answer = c.readAvailable(1500);
      assertThat(answer).matches("(?s)HTTP/1\\.1 (400|403) .*");
    }
    assertThat(origin.requestCount()).isEqualTo(before);
  }

  static List<String> hosts() {
    return List.of(
        "admin.example.test",
        "ADMIN.example.test",
        "admin.example.test.",
        "admin.example.test:80",
        "admin.example.test.:80",
        "admin.example.test..",
        "admin.example.test%2e",
        "admin.example.test\t",
        "admin.example.test x",
        "www.example.test@admin.example.test",
        "admin.example.test;www.example.test");
  }

  @ParameterizedTest
  @MethodSource("hosts")
  void aSpellingOfTheProtectedHostNeverReachesTheUpstream(String host) throws Exception {
    int before = origin.requestCount();
    try (RawClient c = gw.raw()) {
      c.send("GET /hello HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      String answer = c.readAvailable(1500);
      assertThat(answer).matches("(?s)HTTP/1\\.1 (400|403) .*");
    }
    assertThat(origin.requestCount()).isEqualTo(before);
  }
}
