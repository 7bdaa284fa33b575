package io.portico.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.ConfigLoader;
import io.portico.config.LoadResult;
import io.portico.plugins.builtin.TestExchange;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Identity;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TemplateTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ConfigLoader loader = ConfigLoader.withEnvironment(Map.of("HOST", "db"));

  /** The node of {@code value: <yaml>} as the loader reads it from {@code t.yaml}. */
  private ConfigNode node(String yaml) {
    LoadResult result = loader.load("value: " + yaml + "\n", "t.yaml");
    assertThat(result.problems().isEmpty()).as(result.problems().render()).isTrue();
    return result.root().fields().get("value");
  }

  private Template compile(String yaml, Scope scope, Destination destination) {
    Problems problems = new Problems();
    Template template = Template.compile(node(yaml), scope, destination, problems);
    assertThat(problems.list()).isEmpty();
    assertThat(template).isNotNull();
    return template;
  }

  private List<String> problems(String yaml, Scope scope, Destination destination) {
    Problems problems = new Problems();
    Template template = Template.compile(node(yaml), scope, destination, problems);
    assertThat(template).isNull();
    return problems.list().stream().map(Problem::toString).toList();
  }

  private static TestExchange exchange() {
    TestExchange exchange =
        TestExchange.of(HttpMethod.POST, "/users/42?tag=a&tag=b&q=x%20y")
            .client("::ffff:10.0.0.7")
            .requestId("r-1")
            .route("users", "users-api")
            .pathParameter("id", "42")
            .header("X-Tenant", "acme");
    exchange.set(
        Identity.KEY,
        new Identity(
            "alice",
            "c-7",
            "key-1",
            new LinkedHashSet<>(List.of("admin", "ops")),
            "jwt",
            false,
            Map.of(
                "sub",
                "u-1",
                "level",
                3L,
                "scope",
                List.of("read", "write"),
                "exp",
                new Date(1_700_000_000_000L),
                "org",
                Map.of("id", "o-9"))));
    return exchange;
  }

  @Test
  void rendersEveryRequestVariable() {
    Template template =
        compile(
            "'${request_id} ${client_ip} ${route} ${service} ${method} ${path} ${path_param.id}"
                + " ${query.tag} ${query.q} ${header.x-tenant} ${consumer.name}"
                + " ${consumer.custom_id} ${consumer.groups} ${claim.sub} ${claim.level}"
                + " ${claim.scope} ${claim.exp} ${claim.org}'",
            Scope.REQUEST,
            Destination.TEXT);

    assertThat(template.renderString(exchange()))
        .isEqualTo(
            "r-1 10.0.0.7 users users-api POST /users/42 42 a x y acme alice c-7 admin,ops u-1 3"
                + " [\"read\",\"write\"] 1700000000 {\"id\":\"o-9\"}");
  }

  @Test
  void rendersResponseVariablesInResponseScopes() {
    Template template =
        compile("'${status} ${response_header.Content-Type}'", Scope.RESPONSE, Destination.TEXT);
    TestExchange exchange = exchange().respond(HttpResponseStatus.CREATED);
    exchange.responseHeaders().set("content-type", "application/json");

    assertThat(template.renderString(exchange)).isEqualTo("201 application/json");
  }

  @Test
  void readsTheJsonBodyByPointer() throws Exception {
    JsonNode body = JSON.readTree("{\"user\":{\"id\":7,\"name\":\"Ann\",\"a/b\":true},\"n\":null}");
    Template template =
        compile(
            "'${body./user/id}-${body./user/name}-${body./user/a~1b}-${body./n:-none}-${body./x}'",
            Scope.REQUEST_BODY,
            Destination.TEXT);

    assertThat(template.renderString(exchange(), body)).isEqualTo("7-Ann-true-none-");
    assertThat(template.renderString(exchange(), null)).isEqualTo("---none-");
    assertThat(
            compile("'${body}'", Scope.REQUEST_BODY, Destination.TEXT)
                .renderString(exchange(), body))
        .isEqualTo(body.toString());
  }

  @Test
  void missingValuesTakeTheirDefaultOrNothing() {
    Template template =
        compile(
            "'[${header.X-Missing}|${header.X-Missing:-none}|${path_param.nope:-}|${query.tag:-z}]'",
            Scope.REWRITE,
            Destination.TEXT);

    assertThat(template.renderString(TestExchange.get("/").route(null, null)))
        .isEqualTo("[|none||z]");
    assertThat(template.renderString(exchange())).isEqualTo("[|none||a]");
  }

  @Test
  void identityVariablesAreMissingWithoutAnIdentity() {
    Template template =
        compile("'${consumer.name:-anonymous}/${claim.sub}'", Scope.REQUEST, Destination.TEXT);

    assertThat(template.renderString(TestExchange.get("/"))).isEqualTo("anonymous/");
  }

  @Test
  void doubleDollarEscapesAndOtherDollarsAreLiteral() {
    Template template =
        compile("'$${request_id} costs $5 ${request_id}'", Scope.REWRITE, Destination.TEXT);

    assertThat(template.renderString(exchange())).isEqualTo("${request_id} costs $5 r-1");
  }

  @Test
  void headerDestinationPercentEncodesUnsafeValuesOnly() {
    Template template = compile("'id=${path_param.id}'", Scope.REWRITE, Destination.HEADER);
    TestExchange exchange = TestExchange.get("/").pathParameter("id", "a\r\nX-Admin: true é 😀");

    assertThat(template.renderString(exchange))
        .isEqualTo("id=a%0D%0AX-Admin: true %C3%A9 %F0%9F%98%80");
  }

  @Test
  void uriDestinationPercentEncodesEachValueAsOneComponent() {
    Template template =
        compile("'/v2/users/${path_param.id}?q=${query.q}'", Scope.REWRITE, Destination.URI);
    TestExchange exchange = TestExchange.get("/?q=a%26b%3Dc%20d").pathParameter("id", "../x/é");

    assertThat(template.renderString(exchange))
        .isEqualTo("/v2/users/..%2Fx%2F%C3%A9?q=a%26b%3Dc%20d");
  }

  @Test
  void jsonDestinationWritesEachValueAsJson() throws Exception {
    JsonNode body = JSON.readTree("{\"user\":{\"id\":7},\"tags\":[\"a\"]}");
    TestExchange exchange = exchange().header("X-Quote", "say \"hi\" \\ é");
    Template template =
        compile(
            "'{\"u\": ${body./user}, \"t\": ${body./tags}, \"q\": ${header.X-Quote},"
                + " \"none\": ${header.X-None}, \"dflt\": ${header.X-None:-\"d\"}}'",
            Scope.REQUEST_BODY,
            Destination.JSON);

    assertThat(JSON.readTree(template.renderString(exchange, body)))
        .isEqualTo(
            JSON.readTree(
                "{\"u\":{\"id\":7},\"t\":[\"a\"],\"q\":\"say \\\"hi\\\" \\\\ é\","
                    + "\"none\":null,\"dflt\":\"d\"}"));
  }

  @Test
  void reportsAJsonTemplateThatIsNotJsonText() {
    assertThat(problems("'{\"a\": ${route}, }'", Scope.REQUEST, Destination.JSON))
        .singleElement()
        .asString()
        .startsWith(
            "t.yaml:1:8: value: \"{\"a\": ${route}, }\" (expected: JSON text once each variable"
                + " is replaced by its value (Unexpected character ('}'");
    assertThat(problems("'${route} ${route}'", Scope.REQUEST, Destination.JSON))
        .singleElement()
        .asString()
        .contains("more than one JSON value");
  }

  @Test
  void constantTemplatesRenderWithoutAllocating() {
    Template template = compile("'static $${x}'", Scope.REWRITE, Destination.HEADER);
    TestExchange exchange = exchange();

    assertThat(template.isConstant()).isTrue();
    assertThat(template.renderString(exchange)).isSameAs(template.renderString(exchange));
    assertThat(template.renderJson(exchange, null)).isSameAs(template.renderJson(exchange, null));
    StringBuilder out = new StringBuilder();
    template.render(exchange, out);
    assertThat(out).hasToString("static ${x}");
  }

  @Test
  void rendersIntoAReusedBuilderWithoutAllocating() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    Template constant = compile("'static value'", Scope.REWRITE, Destination.HEADER);
    Template variables = compile("'${route}/${path_param.id}'", Scope.REWRITE, Destination.HEADER);
    TestExchange exchange = exchange();
    StringBuilder out = new StringBuilder(256);
    for (int i = 0; i < 20_000; i++) {
      out.setLength(0);
      constant.render(exchange, out);
      variables.render(exchange, out);
    }

    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 20_000; i++) {
      out.setLength(0);
      constant.render(exchange, out);
      variables.render(exchange, out);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(out).hasToString("static valueusers/42");
    assertThat(allocated).as("bytes allocated by 20000 renders").isLessThan(20_000);
  }

  @Test
  void appendsToTheCallersBuilder() {
    Template template = compile("'<${route}>'", Scope.REWRITE, Destination.TEXT);
    StringBuilder out = new StringBuilder("before ");

    template.render(exchange(), out);

    assertThat(out).hasToString("before <users>");
  }

  @Test
  void renderJsonKeepsTheTypeOfASingleVariable() throws Exception {
    JsonNode body = JSON.readTree("{\"n\":1.5,\"ok\":false,\"obj\":{\"a\":[1]}}");
    TestExchange exchange = exchange().respond(HttpResponseStatus.ACCEPTED);

    assertThat(json("'${body./n}'", exchange, body)).hasToString("1.5");
    assertThat(json("'${body./ok}'", exchange, body).isBoolean()).isTrue();
    assertThat(json("'${body./obj}'", exchange, body)).hasToString("{\"a\":[1]}");
    assertThat(json("'${status}'", exchange, body).isInt()).isTrue();
    assertThat(json("'${claim.level}'", exchange, body).isIntegralNumber()).isTrue();
    assertThat(json("'${claim.org}'", exchange, body)).hasToString("{\"id\":\"o-9\"}");
    assertThat(json("'${consumer.groups}'", exchange, body)).hasToString("[\"admin\",\"ops\"]");
    assertThat(json("'${route}'", exchange, body)).hasToString("\"users\"");
    assertThat(json("'n=${body./n}'", exchange, body)).hasToString("\"n=1.5\"");
    assertThat(json("'${body./missing:-dflt}'", exchange, body)).hasToString("\"dflt\"");
    assertThat(json("'${body./missing}'", exchange, body)).isNull();
  }

  @Test
  void renderJsonCopiesBodyValues() throws Exception {
    JsonNode body = JSON.readTree("{\"obj\":{\"a\":1}}");
    JsonNode value = json("'${body./obj}'", exchange(), body);

    ((com.fasterxml.jackson.databind.node.ObjectNode) value).put("b", 2);

    assertThat(body).hasToString("{\"obj\":{\"a\":1}}");
  }

  private JsonNode json(String yaml, TestExchange exchange, JsonNode body) {
    return compile(yaml, Scope.RESPONSE_BODY, Destination.TEXT).renderJson(exchange, body);
  }

  @Test
  void reportsEveryProblemWithTheColumnInsideTheString() {
    assertThat(
            problems(
                "\"${nope} ${header.Bad Name} ${body.user} ${status} ${path_param.}\"",
                Scope.REQUEST,
                Destination.TEXT))
        .containsExactly(
            "t.yaml:1:9: value: unknown variable ${nope} (expected: one of ${request_id},"
                + " ${client_ip}, ${route}, ${service}, ${method}, ${path}, ${path_param.NAME},"
                + " ${query.NAME}, ${header.NAME}, ${consumer.name}, ${consumer.custom_id},"
                + " ${consumer.groups}, ${claim.NAME})",
            "t.yaml:1:17: value: ${header.Bad Name}: \"Bad Name\" (expected: a header name:"
                + " letters, digits and !#$%&'*+-.^_`|~)",
            "t.yaml:1:36: value: ${body.user}: \"user\" (expected: a JSON Pointer such as"
                + " /user/id: \"/\" before each member, ~0 for ~ and ~1 for /)",
            "t.yaml:1:49: value: ${status} is not available in a request template (expected: one"
                + " of ${request_id}, ${client_ip}, ${route}, ${service}, ${method}, ${path},"
                + " ${path_param.NAME}, ${query.NAME}, ${header.NAME}, ${consumer.name},"
                + " ${consumer.custom_id}, ${consumer.groups}, ${claim.NAME})",
            "t.yaml:1:59: value: ${path_param.} (expected: ${path_param.NAME} with a name after"
                + " the dot)");
  }

  @Test
  void pointsAtTheColumnOfAnUnquotedValue() {
    assertThat(problems("a ${body./x~2}", Scope.REQUEST_BODY, Destination.TEXT))
        .containsExactly(
            "t.yaml:1:10: value: ${body./x~2}: \"/x~2\" (expected: a JSON Pointer such as"
                + " /user/id: \"/\" before each member, ~0 for ~ and ~1 for /)");
  }

  @Test
  void reportsAnUnclosedVariableAtItsStart() {
    assertThat(problems("'ok ${request_id'", Scope.REWRITE, Destination.TEXT))
        .containsExactly(
            "t.yaml:1:12: value: \"ok ${request_id\" (expected: every ${ closed by })");
  }

  @Test
  void reportsIdentityVariablesBeforeAuthentication() {
    assertThat(problems("'${consumer.name}'", Scope.REWRITE, Destination.TEXT))
        .singleElement()
        .asString()
        .startsWith(
            "t.yaml:1:9: value: ${consumer.name} is not available in a REWRITE-phase template,"
                + " before authentication (expected: one of ${request_id}");
  }

  @Test
  void reportsTextUnfitForTheDestination() {
    assertThat(problems("\"a\\u0007 ${route:-x\\ty}\"", Scope.REWRITE, Destination.HEADER))
        .containsExactly(
            "t.yaml:1:8: value: \"a\u0007 ${route:-x\ty}\" (expected: a header value of printable"
                + " ASCII characters)");
    assertThat(problems("'/a b/${path_param.id}'", Scope.REWRITE, Destination.URI))
        .containsExactly(
            "t.yaml:1:8: value: \"/a b/${path_param.id}\" (expected: a URI of printable ASCII"
                + " characters without spaces)");
    assertThat(problems("'/x/${path_param.id:-a b}'", Scope.REWRITE, Destination.URI))
        .containsExactly(
            "t.yaml:1:29: value: \"a b\" (expected: a URI of printable ASCII characters without"
                + " spaces)");
  }

  @Test
  void reportsAnEmptyName() {
    Problems problems = new Problems();
    ConfigNode node = ConfigNode.scalar("value", new Location("t.json", 2, 10), "a${:-x}", true);

    assertThat(Template.compile(node, Scope.REQUEST, problems)).isNull();
    assertThat(problems.list())
        .extracting(Problem::toString)
        .containsExactly(
            "t.json:2:12: value: \"${:-x}\" (expected: a variable name between ${ and })");
  }

  @Test
  void refusesAValueThatIsNotText() {
    Problems problems = new Problems();
    ConfigNode list = ConfigNode.list("value", new Location("t.yaml", 3, 5), List.of());

    assertThat(Template.compile(list, Scope.REQUEST, problems)).isNull();
    assertThat(problems.list())
        .extracting(Problem::toString)
        .containsExactly("t.yaml:3:5: value: a list (expected: a template string)");
  }

  @Test
  void listsTheVariablesItUses() {
    assertThat(
            compile("'${route}${header.a}${header.b}'", Scope.REWRITE, Destination.TEXT)
                .variables())
        .isEqualTo(Set.of(Variable.ROUTE, Variable.HEADER));
  }
}
