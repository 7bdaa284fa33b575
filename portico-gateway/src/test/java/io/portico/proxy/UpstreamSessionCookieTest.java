package io.portico.proxy;

import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.ScriptedOrigin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An upstream cannot set the admin listener's session cookie in a client's browser: cookies ignore
 * ports, so a {@code Set-Cookie: portico_session=...} relayed from an application behind the
 * gateway would plant (fix) or overwrite the console's and the portal's session on that host name.
 * The upstream's other cookies are relayed as written.
 */
class UpstreamSessionCookieTest {

  private static ScriptedOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin =
        ScriptedOrigin.start()
            .on(
                "/login",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            "ok".getBytes(StandardCharsets.UTF_8),
                            "Set-Cookie",
                            "portico_session=attacker-session; Path=/; HttpOnly",
                            "Set-Cookie",
                            "cart=3; Path=/",
                            "Set-Cookie",
                            "portico_session =spaced-session; Path=/",
                            "Set-Cookie",
                            "portico_session_id=7")))
            .on(
                "/only",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(
                            200,
                            "ok".getBytes(StandardCharsets.UTF_8),
                            "Set-Cookie",
                            "portico_session=attacker-session; Path=/")));
    gw = GatewayFixture.start(GatewayFixture.proxyAllTo(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  @Test
  void anUpstreamsSetCookieForTheConsoleSessionIsDroppedAndOthersRelayed() throws Exception {
    HttpResponse<String> r = gw.get("/login");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().allValues("set-cookie"))
        .containsExactly("cart=3; Path=/", "portico_session_id=7");

    HttpResponse<String> only = gw.get("/only");
    assertThat(only.statusCode()).isEqualTo(200);
    assertThat(only.headers().allValues("set-cookie")).isEmpty();
  }

  @Test
  void namesOnlyTheSessionCookie() {
    assertThat(GatewayCookies.setsSession("portico_session=x")).isTrue();
    assertThat(GatewayCookies.setsSession("\tportico_session\t= x; Path=/")).isTrue();
    assertThat(GatewayCookies.setsSession("portico_session_id=x")).isFalse();
    assertThat(GatewayCookies.setsSession("xportico_session=x")).isFalse();
    assertThat(GatewayCookies.setsSession("portico_session")).isFalse();
  }
}
