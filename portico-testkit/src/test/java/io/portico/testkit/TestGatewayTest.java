package io.portico.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TestGatewayTest {

  /** {@code tag: {value: v}} sets {@code X-Tag: v} on the request; records closed instances. */
  static final class TagFactory implements PluginFactory<String> {
    final List<String> closed = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "tag";
    }

    @Override
    public int priority() {
      return 500;
    }

    @Override
    public String parse(ConfigReader config) {
      return config.requiredString("value", "a header value");
    }

    @Override
    public Plugin create(String value, PluginContext context) {
      return new Plugin() {
        @Override
        public Set<Phase> phases() {
          return Set.of(Phase.REWRITE);
        }

        @Override
        public Outcome rewrite(Exchange exchange) {
          exchange.request().headers().set("X-Tag", value);
          return Outcome.proceed();
        }

        @Override
        public void close() {
          closed.add(value);
        }
      };
    }
  }

  private static String config(String tag) {
    return """
        services:
          - name: backend
            targets: [ "${ORIGIN}" ]
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
            plugins:
              tag: { value: %s }
        """
        .formatted(tag);
  }

  private final TagFactory tags = new TagFactory();
  private final Origin origin = Origin.start();

  @AfterEach
  void closeOrigin() {
    origin.close();
  }

  private TestGateway start(String yaml) {
    return TestGateway.builder()
        .config(yaml)
        .plugin(tags)
        .env("ORIGIN", origin.authority())
        .start();
  }

  @Test
  void runsAPluginInstanceInARealGatewayInFrontOfTheOrigin() {
    try (TestGateway gateway = start(config("one"))) {
      HttpResponse<String> response = gateway.get("/hello?x=1");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("ok");
      RecordedRequest seen = origin.lastRequest();
      assertThat(seen.method()).isEqualTo("GET");
      assertThat(seen.uri()).isEqualTo("/hello?x=1");
      assertThat(seen.path()).isEqualTo("/hello");
      assertThat(seen.header("x-tag")).isEqualTo("one");
      assertThat(seen.headers("X-Forwarded-For")).containsExactly("127.0.0.1");
    }
  }

  @Test
  void theOriginAnswersWhatTheTestSaysAndRecordsTheBody() {
    origin.answer(
        request ->
            OriginReply.text(201, "made " + request.bodyText()).withHeader("X-Origin", "yes"));
    try (TestGateway gateway = start(config("one"))) {
      HttpResponse<String> response =
          gateway.send(
              HttpRequest.newBuilder(gateway.uri("/things"))
                  .POST(HttpRequest.BodyPublishers.ofString("a thing")));

      assertThat(response.statusCode()).isEqualTo(201);
      assertThat(response.body()).isEqualTo("made a thing");
      assertThat(response.headers().firstValue("x-origin")).hasValue("yes");
      assertThat(origin.requests())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.bodyText()).isEqualTo("a thing");
              });
    }
  }

  @Test
  void reportsConfigProblemsAtTheLinesOfTheText() {
    List<String> problems =
        TestGateway.builder()
            .config(config("one").replace("value: one", "valeu: one"))
            .plugin(tags)
            .env("ORIGIN", origin.authority())
            .problems();

    assertThat(problems)
        .containsExactly(
            "portico.yaml:9:14: routes[0].plugins.tag.valeu: unknown key \"valeu\"; did you mean"
                + " \"value\"? (the required key \"value\" is missing; expected: a header value)");
  }

  @Test
  void refusesToStartAnInvalidConfigWithEveryProblem() {
    assertThatThrownBy(() -> start(config("one") + "limts: {}\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("portico.yaml:10:1: limts: unknown key \"limts\"");
  }

  @Test
  void reloadSwapsTheConfigInAndClosesTheReplacedPlugin() {
    try (TestGateway gateway = start(config("one"))) {
      gateway.get("/");

      TestGateway.Reload reload = gateway.reload(config("two"));
      gateway.get("/");

      assertThat(reload.applied()).isTrue();
      assertThat(reload.problems()).isEmpty();
      assertThat(origin.lastRequest().header("X-Tag")).isEqualTo("two");
      assertThat(gateway.reload("routes: 1\n").applied()).isFalse();
      assertThat(tags.closed).contains("one");
    }
    assertThat(tags.closed).containsExactlyInAnyOrder("one", "two");
  }
}
