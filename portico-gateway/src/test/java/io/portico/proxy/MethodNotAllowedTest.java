package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A request whose path routes take only under other methods is answered 405 with the {@code Allow}
 * of those methods and a problem that names them; a path no route takes under any method stays a
 * 404. Real sockets, answered by the gateway's own mock routes.
 */
class MethodNotAllowedTest {

  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            routes:
              - name: read
                paths: [ "/items" ]
                methods: [ GET, HEAD ]
                plugins: { mock: { body: items } }
              - name: write
                paths: [ "/items" ]
                methods: [ PUT ]
                plugins: { mock: { body: stored } }
              - name: admin-only
                paths: [ "/reports" ]
                headers: { X-Role: admin }
                plugins: { mock: { body: report } }
            """);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void aMethodNoRouteOfThePathTakesIs405WithTheMethodsTheyTake() throws Exception {
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/items/1"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("GET, HEAD, PUT");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body())
        .contains("\"type\":\"https://portico.dev/problems/method-not-allowed\"")
        .contains("\"status\":405")
        .contains("No route takes POST /items/1 on host 127.0.0.1; its routes take GET, HEAD, PUT.")
        .containsPattern("\"request_id\":\"[0-9a-f]{32}\"");
    assertThat(gw.get("/items/1").body()).isEqualTo("items");
  }

  @Test
  void aPathNoRouteTakesUnderAnyMethodStays404() throws Exception {
    HttpResponse<String> r = gw.get("/nothing");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("allow")).isEmpty();
    assertThat(r.body()).contains("\"type\":\"https://portico.dev/problems/no-route\"");
  }

  @Test
  void aRouteRefusedForItsHeaderConditionsIsStill404() throws Exception {
    HttpResponse<String> r = gw.get("/reports");

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("allow")).isEmpty();
  }
}
