package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.list;
import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.ConfigNodes.plain;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MockPluginTest {

  private final MockFactory factory = new MockFactory();

  private static Reply answer(Plugin plugin) {
    Outcome outcome = request(plugin, TestExchange.get("/mocked"));
    assertThat(outcome).isInstanceOf(Reply.class);
    return (Reply) outcome;
  }

  private static String body(Reply reply) {
    return new String(reply.body(), StandardCharsets.UTF_8);
  }

  @Test
  void mockRendersJsonNodeAsBody() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "json",
                map(
                    "ok", plain("true"),
                    "count", plain("3"),
                    "big", plain("123456789012345678901234567890"),
                    "ratio", plain("1.50"),
                    "zip", "02134",
                    "version", plain("v2"),
                    "items", list(plain("1"), "a", null),
                    "empty", map())));

    Reply reply = answer(plugin);

    assertThat(plugin.phases()).containsExactly(Phase.ACCESS);
    assertThat(reply.status()).isEqualTo(HttpResponseStatus.OK);
    assertThat(reply.headers().get("content-type")).isEqualTo("application/json");
    assertThat(body(reply))
        .isEqualTo(
            "{\"ok\":true,\"count\":3,\"big\":123456789012345678901234567890,\"ratio\":1.50,"
                + "\"zip\":\"02134\",\"version\":\"v2\",\"items\":[1,\"a\",null],\"empty\":{}}");
  }

  @Test
  void answersTextBodyWithStatusAndHeaders() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "status", plain("503"),
                "headers", map("Retry-After", "120", "Cache-Control", "no-store"),
                "body", "down for maintenance"));

    Reply reply = answer(plugin);

    assertThat(reply.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
    assertThat(reply.headers().get("content-type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(reply.headers().get("retry-after")).isEqualTo("120");
    assertThat(reply.headers().get("cache-control")).isEqualTo("no-store");
    assertThat(body(reply)).isEqualTo("down for maintenance");
  }

  @Test
  void contentTypeReplacesTheDefault() {
    Plugin plugin = plugin(factory, map("body", "<p>hi</p>", "content-type", "text/html"));

    assertThat(answer(plugin).headers().get("content-type")).isEqualTo("text/html");
  }

  @Test
  void withoutBodyAnswersEmptyWithoutContentType() {
    Reply reply = answer(plugin(factory, map("status", plain("204"))));

    assertThat(reply.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
    assertThat(reply.body()).isEmpty();
    assertThat(reply.headers().isEmpty()).isTrue();
  }

  @Test
  void sharesOneReplyThatNoExchangeCanChange() {
    Plugin plugin = plugin(factory, map("headers", map("X-Mock", "yes"), "body", "ok"));

    Reply first = answer(plugin);
    Reply extended = first.withHeader("X-Extra", "1");
    first.body()[0] = 'X';
    Reply second = answer(plugin);

    assertThat(second).isSameAs(first);
    assertThatThrownBy(() -> first.headers().add("X-Extra", "1"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(second.headers().contains("X-Extra")).isFalse();
    assertThat(second.headers().getAll("X-Mock")).containsExactly("yes");
    assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("ok");
    assertThat(extended.headers().getAll("X-Extra")).containsExactly("1");
    assertThat(extended.headers().getAll("X-Mock")).containsExactly("yes");
  }

  @Test
  void rejectsBodyAndJsonTogether() {
    assertThat(problems(factory, map("body", "a", "json", map("a", "b"))))
        .containsExactly("routes[0].plugins.mock.json: both body and json (expected: one of them)");
  }

  @Test
  void rejectsABodyWithAStatusThatHasNone() {
    assertThat(problems(factory, map("status", plain("304"), "body", "x")))
        .containsExactly(
            "routes[0].plugins.mock.status: \"304\" (expected: a status that allows a body (not"
                + " 204 or 304))");
  }

  @Test
  void rejectsManagedHeadersAndContentTypeInHeaders() {
    assertThat(
            problems(
                factory,
                map(
                    "headers",
                    map("Content-Length", "3", "Content-Type", "text/html"),
                    "body",
                    "x")))
        .containsExactly(
            "routes[0].plugins.mock.headers.Content-Length: \"Content-Length\" (expected: a header"
                + " the gateway does not manage: not Connection, Content-Length, Keep-Alive,"
                + " Proxy-Connection, TE, Trailer, Transfer-Encoding or Upgrade)",
            "routes[0].plugins.mock.headers.Content-Type: \"Content-Type\" (expected: content-type"
                + " set by the content-type key)");
  }
}
