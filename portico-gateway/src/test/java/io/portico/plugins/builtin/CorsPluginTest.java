package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.list;
import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.ConfigNodes.plain;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static io.portico.plugins.builtin.PluginTesting.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorsPluginTest {

  private static final String APP = "https://app.example.com";

  private final CorsFactory factory = new CorsFactory();

  private static TestExchange preflight(String origin) {
    return TestExchange.of(HttpMethod.OPTIONS, "/users")
        .header(HttpHeaderNames.ORIGIN, origin)
        .header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS, "content-type, x-tenant");
  }

  private static Reply answer(Plugin plugin, TestExchange exchange) {
    Outcome outcome = request(plugin, exchange);
    assertThat(outcome).isInstanceOf(Reply.class);
    return (Reply) outcome;
  }

  /** Runs the request phases, the upstream's answer when they proceed, then the response phase. */
  private static HttpHeaders exchange(Plugin plugin, TestExchange exchange) {
    Outcome outcome = request(plugin, exchange);
    if (outcome instanceof Reply reply) {
      exchange.respond(reply);
    } else {
      exchange.respond(HttpResponseStatus.OK);
    }
    response(plugin, exchange);
    return exchange.responseHeaders();
  }

  @Test
  void corsPreflightFromAllowedOriginAnswers204WithAllowHeaders() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "allow-origins", list(APP),
                "allow-headers", list("Content-Type", "X-Tenant"),
                "allow-credentials", plain("true"),
                "max-age", plain("10m")));

    Reply reply = answer(plugin, preflight(APP));

    HttpHeaders headers = reply.headers();
    assertThat(reply.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS))
        .isEqualTo("GET, HEAD, PUT, PATCH, POST, DELETE");
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS))
        .isEqualTo("Content-Type, X-Tenant");
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isEqualTo("true");
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isEqualTo("600");
    assertThat(headers.getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
  }

  @Test
  void preflightEchoesRequestedHeadersWhenAllowHeadersIsAbsent() {
    Plugin plugin = plugin(factory, map("allow-origins", APP));

    Reply reply = answer(plugin, preflight(APP));

    assertThat(reply.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS))
        .isEqualTo("content-type, x-tenant");
    assertThat(reply.headers().getAll(HttpHeaderNames.VARY))
        .containsExactly("Origin", "Access-Control-Request-Headers");
    assertThat(reply.headers().contains(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE)).isFalse();
  }

  @Test
  void preflightFromDisallowedOriginAnswersWithoutCorsHeaders() {
    Plugin plugin = plugin(factory, map("allow-origins", APP));

    Reply reply = answer(plugin, preflight("https://evil.example.net"));

    assertThat(reply.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
    assertThat(reply.headers().names()).containsExactly("vary");
  }

  @Test
  void preflightForAnyOriginAnswersStarWithoutVaryingOnOrigin() {
    Plugin plugin = plugin(factory, map("allow-methods", list("get", "post")));

    HttpHeaders headers = exchange(plugin, preflight("https://anyone.example.org"));

    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isEqualTo("GET, POST");
    assertThat(headers.getAll(HttpHeaderNames.VARY))
        .containsExactly("Access-Control-Request-Headers");
  }

  @Test
  void preflightContinueSendsThePreflightUpstreamAndDecoratesTheAnswer() {
    Plugin plugin =
        plugin(factory, map("allow-origins", list(APP), "preflight-continue", plain("true")));
    TestExchange exchange = preflight(APP);

    assertThat(plugin.phases()).containsExactly(Phase.RESPONSE);
    assertThat(request(plugin, exchange)).isSameAs(Outcome.proceed());
    HttpHeaders headers = exchange(plugin, exchange);

    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
  }

  @Test
  void optionsWithoutRequestMethodIsAnOrdinaryRequest() {
    Plugin plugin = plugin(factory, map("allow-origins", list(APP)));
    TestExchange exchange =
        TestExchange.of(HttpMethod.OPTIONS, "/users").header(HttpHeaderNames.ORIGIN, APP);

    assertThat(request(plugin, exchange)).isSameAs(Outcome.proceed());
  }

  @Test
  void actualRequestFromAllowedOriginGetsOriginCredentialsAndExposeHeaders() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "allow-origins", list("https://other.example.com", APP),
                "allow-credentials", plain("true"),
                "expose-headers", list("X-Total-Count", "ETag")));
    TestExchange exchange = TestExchange.get("/users").header(HttpHeaderNames.ORIGIN, APP);

    assertThat(request(plugin, exchange)).isSameAs(Outcome.proceed());
    HttpHeaders headers = exchange(plugin, exchange);

    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isEqualTo("true");
    assertThat(headers.get(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS))
        .isEqualTo("X-Total-Count, ETag");
    assertThat(headers.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isFalse();
    assertThat(headers.getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
  }

  @Test
  void actualRequestFromDisallowedOriginPassesWithOnlyVary() {
    Plugin plugin = plugin(factory, map("allow-origins", list(APP)));
    TestExchange exchange =
        TestExchange.get("/users").header(HttpHeaderNames.ORIGIN, "https://evil.example.net");

    assertThat(request(plugin, exchange)).isSameAs(Outcome.proceed());
    HttpHeaders headers = exchange(plugin, exchange);

    assertThat(headers.names()).containsExactly("vary");
  }

  @Test
  void requestWithoutOriginStillVariesOnOrigin() {
    Plugin plugin = plugin(factory, map("allow-origins", list(APP)));

    HttpHeaders headers = exchange(plugin, TestExchange.get("/users"));

    assertThat(headers.getAll(HttpHeaderNames.VARY)).containsExactly("Origin");
  }

  @Test
  void anyOriginWithoutOriginHeaderAddsNothing() {
    Plugin plugin = plugin(factory, map());

    HttpHeaders headers = exchange(plugin, TestExchange.get("/users"));

    assertThat(headers.isEmpty()).isTrue();
  }

  @Test
  void varyKeepsTheUpstreamsValuesAndNamesOriginOnce() {
    Plugin plugin = plugin(factory, map("allow-origins", list(APP)));
    TestExchange withOther = TestExchange.get("/users").header(HttpHeaderNames.ORIGIN, APP);
    withOther.respond(HttpResponseStatus.OK).responseHeaders().add("Vary", "Accept-Encoding");
    TestExchange withOrigin = TestExchange.get("/users").header(HttpHeaderNames.ORIGIN, APP);
    withOrigin.respond(HttpResponseStatus.OK).responseHeaders().add("Vary", "Accept, Origin");

    response(plugin, withOther);
    response(plugin, withOrigin);

    assertThat(withOther.responseHeaders().getAll("vary"))
        .containsExactly("Accept-Encoding", "Origin");
    assertThat(withOrigin.responseHeaders().getAll("vary")).containsExactly("Accept, Origin");
  }

  @Test
  void wildcardOriginMatchesSubdomainsOnly() {
    Map<String, Boolean> expected =
        Map.of(
            "https://a.example.com", true,
            "http://a.b.example.com", true,
            "https://example.com", false,
            "https://evil-example.com", false,
            "https://a.example.com.evil.net", false,
            "https://a.example.com:8443", false);
    Plugin plugin = plugin(factory, map("allow-origins", list("*.example.com")));

    expected.forEach(
        (origin, allowed) -> {
          HttpHeaders headers = exchange(plugin, preflight(origin));
          assertThat(headers.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN))
              .as(origin)
              .isEqualTo(allowed);
        });
  }

  @Test
  void regexOriginMustMatchTheWholeOrigin() {
    Plugin plugin =
        plugin(factory, map("allow-origins", list("~https://app[0-9]+\\.example\\.com")));

    assertThat(
            exchange(plugin, preflight("https://app12.example.com"))
                .contains("access-control-allow-origin"))
        .isTrue();
    assertThat(
            exchange(plugin, preflight("https://app12.example.com.evil.net"))
                .contains("access-control-allow-origin"))
        .isFalse();
  }

  @Test
  void exactOriginIgnoresCaseAndTheDefaultPort() {
    Plugin plugin = plugin(factory, map("allow-origins", list("HTTPS://App.Example.com:443")));

    assertThat(exchange(plugin, preflight(APP)).get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN))
        .isEqualTo(APP);
  }

  @Test
  void originWithoutSchemeAllowsHttpAndHttps() {
    Plugin plugin = plugin(factory, map("allow-origins", list("localhost:3000")));

    assertThat(
            exchange(plugin, preflight("http://localhost:3000"))
                .contains("access-control-allow-origin"))
        .isTrue();
    assertThat(
            exchange(plugin, preflight("https://localhost:3000"))
                .contains("access-control-allow-origin"))
        .isTrue();
    assertThat(
            exchange(plugin, preflight("http://localhost:3001"))
                .contains("access-control-allow-origin"))
        .isFalse();
  }

  @Test
  void rejectsAnyOriginWithCredentials() {
    String rule = " (expected: explicit origins; browsers refuse credentials for any origin)";
    assertThat(
            problems(factory, map("allow-origins", list("*"), "allow-credentials", plain("true"))))
        .containsExactly(
            "routes[0].plugins.cors.allow-origins: \"*\" with allow-credentials: true" + rule);
    assertThat(problems(factory, map("allow-credentials", plain("true"))))
        .containsExactly("routes[0].plugins.cors: \"*\" with allow-credentials: true" + rule);
  }

  @Test
  void rejectsInvalidOriginEntries() {
    assertThat(
            problems(
                factory,
                map(
                    "allow-origins",
                    list("https://app.example.com/", "https://*", "~app(", "https://a.com:70000"))))
        .containsExactly(
            "routes[0].plugins.cors.allow-origins[0]: \"https://app.example.com/\" (expected: an"
                + " origin such as https://app.example.com, *.example.com, * or ~regex)",
            "routes[0].plugins.cors.allow-origins[1]: \"https://*\" (expected: an origin such as"
                + " https://app.example.com, *.example.com, * or ~regex)",
            "routes[0].plugins.cors.allow-origins[2]: \"~app(\" (expected: a valid regular"
                + " expression after ~ (Unclosed group))",
            "routes[0].plugins.cors.allow-origins[3]: \"https://a.com:70000\" (expected: an"
                + " origin such as https://app.example.com, *.example.com, * or ~regex)");
  }

  @Test
  void rejectsAnEmptyOriginList() {
    assertThat(problems(factory, map("allow-origins", list())))
        .containsExactly(
            "routes[0].plugins.cors.allow-origins: an empty list (expected: at least one origin,"
                + " or * for any)");
  }

  @Test
  void rejectsInvalidMethodsHeadersAndMaxAge() {
    assertThat(
            problems(
                factory,
                map(
                    "allow-methods", list("GE T"),
                    "allow-headers", list("X Tenant"),
                    "expose-headers", map("a", "b"),
                    "max-age", plain("1500ms"))))
        .containsExactly(
            "routes[0].plugins.cors.allow-methods[0]: \"GE T\" (expected: an HTTP method such as"
                + " GET)",
            "routes[0].plugins.cors.allow-headers[0]: \"X Tenant\" (expected: a header name:"
                + " letters, digits and !#$%&'*+-.^_`|~)",
            "routes[0].plugins.cors.expose-headers: an object (expected: a list of strings)",
            "routes[0].plugins.cors.max-age: \"1500ms\" (expected: a whole number of seconds such"
                + " as 600s or 1h)");
  }
}
