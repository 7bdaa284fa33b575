package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.list;
import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static io.portico.plugins.builtin.PluginTesting.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import org.junit.jupiter.api.Test;

class ResponseHeadersPluginTest {

  private final ResponseHeadersFactory factory = new ResponseHeadersFactory();

  @Test
  void removesSetsAndAddsResponseHeadersWithResponseVariables() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "remove", list("Server", "X-Powered-By"),
                "set", map("X-Served-By", "${route}/${service} ${status}"),
                "add", map("X-Request", "${request_id} for ${client_ip}")));
    TestExchange exchange =
        TestExchange.get("/users").requestId("r-9").client("10.1.2.3").route("users", "users-api");

    request(plugin, exchange);
    assertThat(exchange.request().headers().isEmpty()).isTrue();
    exchange.respond(HttpResponseStatus.NOT_FOUND);
    exchange.responseHeaders().add("Server", "origin/1.0").add("X-Powered-By", "php");
    response(plugin, exchange);

    HttpHeaders headers = exchange.responseHeaders();
    assertThat(plugin.phases()).containsExactly(Phase.RESPONSE);
    assertThat(headers.contains("Server")).isFalse();
    assertThat(headers.contains("X-Powered-By")).isFalse();
    assertThat(headers.get("X-Served-By")).isEqualTo("users/users-api 404");
    assertThat(headers.get("X-Request")).isEqualTo("r-9 for 10.1.2.3");
  }

  @Test
  void missingRouteAndServiceRenderAsNothing() {
    Plugin plugin = plugin(factory, map("set", map("X-Route", "[${route}]")));
    TestExchange exchange = TestExchange.get("/nowhere").route(null, null);

    response(plugin, exchange.respond(HttpResponseStatus.NOT_FOUND));

    assertThat(exchange.responseHeaders().get("X-Route")).isEqualTo("[]");
  }

  @Test
  void rejectsRequestOnlyVariables() {
    assertThat(problems(factory, map("set", map("X-Id", "${path_param.id}"))))
        .containsExactly(
            "routes[0].plugins.response-headers.set.X-Id: unknown variable ${path_param.id}"
                + " (expected: one of ${request_id}, ${client_ip}, ${route}, ${service},"
                + " ${status})");
  }

  @Test
  void rejectsFramingHeaders() {
    assertThat(problems(factory, map("remove", list("Content-Length"))))
        .singleElement()
        .asString()
        .startsWith(
            "routes[0].plugins.response-headers.remove[0]: \"Content-Length\" (expected: a header"
                + " the gateway does not manage");
  }
}
