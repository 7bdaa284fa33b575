package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.ConfigNodes.plain;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static io.portico.plugins.builtin.PluginTesting.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import org.junit.jupiter.api.Test;

class RequestIdPluginTest {

  private final RequestIdFactory factory = new RequestIdFactory();

  @Test
  void echoesTheIdAsXRequestIdByDefault() {
    Plugin plugin = plugin(factory, map());
    TestExchange exchange = TestExchange.get("/users").requestId("abc-123");

    assertThat(plugin.phases()).containsExactly(Phase.RESPONSE);
    assertThat(request(plugin, exchange)).isSameAs(Outcome.proceed());
    response(plugin, exchange.respond(HttpResponseStatus.OK));

    assertThat(exchange.responseHeaders().get("X-Request-Id")).isEqualTo("abc-123");
  }

  @Test
  void copiesTheIdIntoTheConfiguredHeaderUpstreamAndDownstream() {
    Plugin plugin = plugin(factory, map("header", "X-Correlation-Id"));
    TestExchange exchange =
        TestExchange.get("/users").requestId("abc-123").header("X-Correlation-Id", "forged");

    assertThat(plugin.phases()).containsExactlyInAnyOrder(Phase.REWRITE, Phase.RESPONSE);
    request(plugin, exchange);
    response(plugin, exchange.respond(HttpResponseStatus.OK));

    assertThat(exchange.request().headers().getAll("x-correlation-id")).containsExactly("abc-123");
    assertThat(exchange.responseHeaders().get("X-Correlation-Id")).isEqualTo("abc-123");
    assertThat(exchange.responseHeaders().contains("X-Request-Id")).isFalse();
  }

  @Test
  void withoutEchoLeavesTheResponseAlone() {
    Plugin plugin = plugin(factory, map("header", "X-Trace", "echo-downstream", plain("false")));
    TestExchange exchange = TestExchange.get("/users");

    assertThat(plugin.phases()).containsExactly(Phase.REWRITE);
    request(plugin, exchange);
    response(plugin, exchange.respond(HttpResponseStatus.OK));

    assertThat(exchange.request().headers().get("X-Trace")).isEqualTo("req-7f3a");
    assertThat(exchange.responseHeaders().isEmpty()).isTrue();
  }

  @Test
  void headerNamedXRequestIdAddsNoRewrite() {
    Plugin plugin = plugin(factory, map("header", "x-request-id"));

    assertThat(plugin.phases()).containsExactly(Phase.RESPONSE);
  }

  @Test
  void rejectsHeaderNamesThatAreNotTokens() {
    assertThat(problems(factory, map("header", "X Trace")))
        .containsExactly(
            "routes[0].plugins.request-id.header: \"X Trace\" (expected: a header name: letters,"
                + " digits and !#$%&'*+-.^_`|~)");
  }

  @Test
  void rejectsHeadersTheGatewayManages() {
    assertThat(problems(factory, map("header", "Transfer-Encoding")))
        .singleElement()
        .asString()
        .startsWith(
            "routes[0].plugins.request-id.header: \"Transfer-Encoding\" (expected: a header the"
                + " gateway does not manage");
  }

  @Test
  void rejectsEchoThatIsNotABoolean() {
    assertThat(problems(factory, map("echo-downstream", "sometimes")))
        .containsExactly(
            "routes[0].plugins.request-id.echo-downstream: \"sometimes\" (expected: true or"
                + " false)");
  }

  @Test
  void reportsUnknownKeysWithASuggestion() {
    assertThat(PluginTesting.parse(factory, map("headr", "X-Trace")).problems())
        .containsExactly(
            "routes[0].plugins.request-id.headr: unknown key \"headr\" (expected one of:"
                + " echo-downstream, header); did you mean \"header\"?");
  }
}
