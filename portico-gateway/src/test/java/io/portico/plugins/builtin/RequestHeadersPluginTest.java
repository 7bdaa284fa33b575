package io.portico.plugins.builtin;

import static io.portico.plugins.builtin.ConfigNodes.list;
import static io.portico.plugins.builtin.ConfigNodes.map;
import static io.portico.plugins.builtin.PluginTesting.plugin;
import static io.portico.plugins.builtin.PluginTesting.problems;
import static io.portico.plugins.builtin.PluginTesting.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import org.junit.jupiter.api.Test;

class RequestHeadersPluginTest {

  private final RequestHeadersFactory factory = new RequestHeadersFactory();

  @Test
  void requestHeadersRemoveThenSetThenAdd() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "add", map("X-Add", "second", "X-Set", "extra"),
                "set", map("X-Set", "new"),
                "remove", list("X-Remove", "X-Set")));
    TestExchange exchange =
        TestExchange.get("/users")
            .header("X-Remove", "gone")
            .header("X-Set", "old")
            .header("X-Add", "first");

    assertThat(plugin.phases()).containsExactly(Phase.REWRITE);
    assertThat(request(plugin, exchange)).isSameAs(Outcome.proceed());

    HttpHeaders headers = exchange.request().headers();
    assertThat(headers.contains("X-Remove")).isFalse();
    assertThat(headers.getAll("X-Set")).containsExactly("new", "extra");
    assertThat(headers.getAll("X-Add")).containsExactly("first", "second");
  }

  @Test
  void fillsVariablesFromTheExchange() {
    Plugin plugin =
        plugin(
            factory,
            map(
                "set",
                map(
                    "X-Origin",
                    "${client_ip} via ${route}/${service} id=${request_id}",
                    "X-Owner",
                    "user=${path_param.id} tenant=${header.X-Tenant}")));
    TestExchange exchange =
        TestExchange.get("/users/42")
            .client("2001:db8:0:0:0:0:0:7")
            .route("users", "users-api")
            .requestId("r-1")
            .pathParameter("id", "42")
            .header("x-tenant", "acme");

    request(plugin, exchange);

    HttpHeaders headers = exchange.request().headers();
    assertThat(headers.get("X-Origin")).isEqualTo("2001:db8::7 via users/users-api id=r-1");
    assertThat(headers.get("X-Owner")).isEqualTo("user=42 tenant=acme");
  }

  @Test
  void setWithMissingSourceRemovesTheClientsHeader() {
    Plugin plugin = plugin(factory, map("set", map("X-User", "${header.X-Authenticated-User}")));
    TestExchange exchange = TestExchange.get("/users").header("X-User", "forged-admin");

    request(plugin, exchange);

    assertThat(exchange.request().headers().contains("X-User")).isFalse();
  }

  @Test
  void addWithMissingSourceAddsNothing() {
    Plugin plugin = plugin(factory, map("add", map("X-Id", "${path_param.id}")));
    TestExchange exchange = TestExchange.get("/users");

    request(plugin, exchange);

    assertThat(exchange.request().headers().contains("X-Id")).isFalse();
  }

  @Test
  void percentEncodesUnsafeCharactersTakenFromTheRequest() {
    Plugin plugin = plugin(factory, map("set", map("X-Id", "id=${path_param.id}")));
    TestExchange exchange =
        TestExchange.get("/users/x").pathParameter("id", "a\r\nX-Admin: true é");

    request(plugin, exchange);

    assertThat(exchange.request().headers().get("X-Id"))
        .isEqualTo("id=a%0D%0AX-Admin: true %C3%A9");
  }

  @Test
  void doubleDollarWritesALiteralVariable() {
    Plugin plugin = plugin(factory, map("set", map("X-Doc", "write $${request_id} for $5")));
    TestExchange exchange = TestExchange.get("/users");

    request(plugin, exchange);

    assertThat(exchange.request().headers().get("X-Doc")).isEqualTo("write ${request_id} for $5");
  }

  @Test
  void mayReplaceTheHostHeader() {
    Plugin plugin = plugin(factory, map("set", map("Host", "users.internal")));
    TestExchange exchange = TestExchange.get("/users").header("Host", "api.example.com");

    request(plugin, exchange);

    assertThat(exchange.request().headers().getAll("host")).containsExactly("users.internal");
  }

  @Test
  void rejectsUnknownVariables() {
    assertThat(problems(factory, map("set", map("X-Id", "id=${reqid}"))))
        .containsExactly(
            "routes[0].plugins.request-headers.set.X-Id: unknown variable ${reqid} (expected: one"
                + " of ${request_id}, ${client_ip}, ${route}, ${service}, ${method}, ${path},"
                + " ${path_param.NAME}, ${query.NAME}, ${header.NAME})");
  }

  @Test
  void rejectsTheStatusVariableInRequests() {
    assertThat(problems(factory, map("add", map("X-Status", "${status}"))))
        .singleElement()
        .asString()
        .startsWith(
            "routes[0].plugins.request-headers.add.X-Status: ${status} is not available in a"
                + " REWRITE-phase template, before authentication (expected: one of"
                + " ${request_id},");
  }

  @Test
  void rejectsUnclosedVariables() {
    assertThat(problems(factory, map("set", map("X-Id", "${request_id"))))
        .containsExactly(
            "routes[0].plugins.request-headers.set.X-Id: \"${request_id\" (expected: every ${"
                + " closed by })");
  }

  @Test
  void rejectsHopByHopAndFramingHeadersInEverySection() {
    assertThat(
            problems(
                factory,
                map(
                    "remove", list("Transfer-Encoding"),
                    "set", map("Content-Length", "0"),
                    "add", map("connection", "close"))))
        .extracting(p -> p.substring(0, p.indexOf(" (")))
        .containsExactly(
            "routes[0].plugins.request-headers.remove[0]: \"Transfer-Encoding\"",
            "routes[0].plugins.request-headers.set.Content-Length: \"Content-Length\"",
            "routes[0].plugins.request-headers.add.connection: \"connection\"");
  }

  @Test
  void rejectsInvalidNamesAndValues() {
    assertThat(
            problems(
                factory,
                map(
                    "set",
                    map("Bad Header", "x", "X-Bell", "ring\u0007", "X-List", list("a", "b")))))
        .containsExactly(
            "routes[0].plugins.request-headers.set.X-List: a list (expected: a string)",
            "routes[0].plugins.request-headers.set.Bad Header: \"Bad Header\" (expected: a header"
                + " name: letters, digits and !#$%&'*+-.^_`|~)",
            "routes[0].plugins.request-headers.set.X-Bell: \"ring\u0007\" (expected: a header"
                + " value of printable ASCII characters)");
  }

  @Test
  void rejectsTheSameHeaderSetTwice() {
    assertThat(problems(factory, map("set", map("X-Tenant", "a", "x-tenant", "b"))))
        .containsExactly(
            "routes[0].plugins.request-headers.set.x-tenant: \"x-tenant\" (expected: each header"
                + " once; \"X-Tenant\" is set already)");
  }

  @Test
  void rejectsAConfigWithoutEdits() {
    assertThat(problems(factory, map()))
        .containsExactly(
            "routes[0].plugins.request-headers: no edits (expected: at least one header in"
                + " remove, set or add)");
  }
}
