package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.app.Gateway;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin listener's session cookie, which a browser signed in to the console sends to every
 * listener of the same host (cookies ignore ports), never reaches an upstream: with it an upstream
 * could call the admin API as the operator. The client's other cookies go through unchanged.
 */
class GatewayCookiesTest {

  private static final String PASSWORD = "correct horse battery";
  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            """
                .formatted(env.origin().authority()),
            Map.of(Gateway.ADMIN_PASSWORD_ENV, PASSWORD));
  }

  @Test
  void theConsoleSessionCookieNeverReachesAnUpstreamAndOtherCookiesDo() throws Exception {
    HttpResponse<String> signIn =
        gw.send(
            HttpRequest.newBuilder(gw.adminUri("/auth/sign-in"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"admin\",\"password\":\"" + PASSWORD + "\"}")));
    assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
    Matcher m =
        Pattern.compile("^(\\w+)=([^;]+)")
            .matcher(signIn.headers().firstValue("Set-Cookie").orElseThrow());
    assertThat(m.find()).isTrue();
    String session = m.group(1) + "=" + m.group(2);

    HttpResponse<String> upstream =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/headers"))
                .header("Cookie", "theme=dark; " + session + "; cart=3"));
    assertThat(upstream.statusCode()).isEqualTo(200);
    assertThat(upstream.body()).contains("cookie: theme=dark; cart=3\n").doesNotContain(m.group(2));

    // two fields (HTTP/2 clients split cookies), one holding only the session: that one goes
    try (RawClient c = gw.raw()) {
      c.send(
          "GET /headers HTTP/1.1\r\nHost: x\r\nCookie: "
              + session
              + "\r\nCookie: lang=en\r\nConnection: close\r\n\r\n");
      String answer = c.readUntil("lang=en\n", 5000);
      assertThat(answer).contains("cookie: lang=en\n").doesNotContain(m.group(2));
    }
    try (RawClient c = gw.raw()) {
      c.send(
          "GET /headers HTTP/1.1\r\nHost: x\r\nCookie: "
              + session
              + "\r\nConnection: close\r\n\r\n");
      assertThat(c.readAvailable(1000)).startsWith("HTTP/1.1 200").doesNotContain("cookie:");
    }
  }

  @Test
  void removesOnlyPairsNamedLikeTheSession() {
    assertThat(GatewayCookies.without("a=1;portico_session=x ;b=2")).isEqualTo("a=1; b=2");
    assertThat(GatewayCookies.without("portico_session_id=7; xportico_session=8"))
        .isEqualTo("portico_session_id=7; xportico_session=8");
    assertThat(GatewayCookies.without(" portico_session=x ")).isEmpty();
  }
}
