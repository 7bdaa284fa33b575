package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.ConfigNodes.plain;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import org.junit.jupiter.api.Test;

class EchoPluginTest {

  private final EchoFactory factory = new EchoFactory();
  private final ObjectMapper mapper = new ObjectMapper();

  private Reply answer(Plugin plugin, TestExchange exchange) {
    Outcome outcome = request(plugin, exchange);
    assertThat(outcome).isInstanceOf(Reply.class);
    return (Reply) outcome;
  }

  @Test
  void describesTheRequestAsJson() throws Exception {
    Plugin plugin = plugin(factory, map());
    TestExchange exchange =
        TestExchange.of(HttpMethod.POST, "/echo/42?a=1&a=2&b=x%20y")
            .header("Host", "gateway.local")
            .header("Accept", "text/html")
            .header("Accept", "application/json")
            .client("198.51.100.4")
            .route("echo", null)
            .pathParameter("id", "42")
            .requestId("r-echo");

    Reply reply = answer(plugin, exchange);
    JsonNode body = mapper.readTree(reply.body());

    assertThat(plugin.phases()).containsExactly(Phase.ACCESS);
    assertThat(reply.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(reply.headers().get("content-type")).isEqualTo("application/json");
    assertThat(body)
        .isEqualTo(
            mapper.readTree(
                """
                {"method": "POST", "path": "/echo/42",
                 "query": {"a": ["1", "2"], "b": ["x y"]},
                 "headers": {"host": ["gateway.local"],
                             "accept": ["text/html", "application/json"]},
                 "client_address": "198.51.100.4", "route": "echo",
                 "path_params": {"id": "42"}, "request_id": "r-echo"}
                """));
  }

  @Test
  void redactsCredentials() throws Exception {
    Plugin plugin = plugin(factory, map());
    TestExchange exchange =
        TestExchange.get("/echo")
            .header("Authorization", "Bearer secret-token")
            .header("Proxy-Authorization", "Basic c2VjcmV0")
            .header("Cookie", "session=secret")
            .header("X-Api-Version", "2");

    JsonNode headers = mapper.readTree(answer(plugin, exchange).body()).get("headers");

    assertThat(headers.get("authorization").get(0).asText()).isEqualTo("[redacted]");
    assertThat(headers.get("proxy-authorization").get(0).asText()).isEqualTo("[redacted]");
    assertThat(headers.get("cookie").get(0).asText()).isEqualTo("[redacted]");
    assertThat(headers.get("x-api-version").get(0).asText()).isEqualTo("2");
    assertThat(headers.toString()).doesNotContain("secret");
  }

  @Test
  void answersWithTheConfiguredStatus() {
    Plugin plugin = plugin(factory, map("status", plain("418")));

    assertThat(answer(plugin, TestExchange.get("/echo")).status().code()).isEqualTo(418);
  }

  @Test
  void rejectsStatusesWithoutABody() {
    assertThat(problems(factory, map("status", plain("204"))))
        .containsExactly(
            "routes[0].plugins.echo.status: \"204\" (expected: a status that allows a body (not"
                + " 204 or 304))");
    assertThat(problems(factory, map("status", plain("101"))))
        .containsExactly(
            "routes[0].plugins.echo.status: \"101\" (expected: an integer from 200 to 599)");
  }
}
