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
  void rejectsVariablesTheResponsePhaseDoesNotOffer() {
    assertThat(problems(factory, map("set", map("X-Id", "${body./id}"))))
        .containsExactly(
            "routes[0].plugins.response-headers.set.X-Id: ${body./POINTER} is not available in a"
                + " response template (expected: one of ${request_id}, ${client_ip}, ${route},"
                + " ${service}, ${method}, ${path}, ${path_param.NAME}, ${query.NAME},"
                + " ${header.NAME}, ${consumer.name}, ${consumer.custom_id}, ${consumer.groups},"
                + " ${claim.NAME}, ${status}, ${response_header.NAME})");
  }

  @Test
  void readsRequestAndResponseValues() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "set",
                map("X-Echo", "${path_param.id}/${response_header.Content-Type:-none}/${status}")));
    TestExchange exchange = TestExchange.get("/users/42").pathParameter("id", "42");

    response(plugin, exchange.respond(HttpResponseStatus.OK));
    assertThat(exchange.responseHeaders().get("X-Echo")).isEqualTo("42/none/200");

    TestExchange json = TestExchange.get("/users/42").pathParameter("id", "42");
    json.respond(HttpResponseStatus.CREATED).responseHeaders().set("Content-Type", "a/b");
    response(plugin, json);
    assertThat(json.responseHeaders().get("X-Echo")).isEqualTo("42/a/b/201");
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
