package com.example.headerstamp;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testkit.Origin;
import io.portico.testkit.OriginReply;
import io.portico.testkit.PluginSchemaCheck;
import io.portico.testkit.TestGateway;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * header-stamp in a real gateway in front of a real origin. The plugin is not passed to the kit:
 * the gateway finds it through this module's {@code META-INF/services} entry, as it would in a jar
 * dropped into {@code runtime.plugin-dir}.
 */
class HeaderStampPluginTest {

  private final Origin origin = Origin.start();

  @AfterEach
  void closeOrigin() {
    origin.close();
  }

  private TestGateway gateway(String plugin) {
    return TestGateway.builder()
        .config(
            """
            services:
              - name: backend
                targets: [ "${ORIGIN}" ]
            routes:
              - name: api
                paths: [ "/api/" ]
                service: backend
                plugins:
                  header-stamp: %s
            """
                .formatted(plugin))
        .env("ORIGIN", origin.authority())
        .start();
  }

  @Test
  void stampsTheRequestTheOriginReceivesAndNotTheResponse() {
    try (TestGateway gateway = gateway("{ name: X-Gateway, value: portico }")) {
      HttpResponse<String> response = gateway.get("/api/users");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(origin.lastRequest().path()).isEqualTo("/api/users");
      assertThat(origin.lastRequest().headers("X-Gateway")).containsExactly("portico");
      assertThat(response.headers().firstValue("X-Gateway")).isEmpty();
    }
  }

  @Test
  void replacesAStampTheClientSent() {
    try (TestGateway gateway = gateway("{ name: X-Gateway, value: portico }")) {
      gateway.send(HttpRequest.newBuilder(gateway.uri("/api/")).header("X-Gateway", "forged"));

      assertThat(origin.lastRequest().headers("x-gateway")).containsExactly("portico");
    }
  }

  @Test
  void stampsTheResponseWhenAsked() {
    origin.answer(OriginReply.text(202, "accepted"));
    try (TestGateway gateway = gateway("{ name: X-Gateway, value: portico, response: true }")) {
      HttpResponse<String> response = gateway.get("/api/jobs");

      assertThat(response.statusCode()).isEqualTo(202);
      assertThat(response.body()).isEqualTo("accepted");
      assertThat(response.headers().allValues("X-Gateway")).containsExactly("portico");
    }
  }

  @Test
  void refusesARequestWithoutARequiredHeaderAndNeverCallsTheOrigin() {
    try (TestGateway gateway =
        gateway("{ name: X-Gateway, value: portico, require: [ X-Tenant ] }")) {
      HttpResponse<String> refused = gateway.get("/api/users");
      HttpResponse<String> passed =
          gateway.send(HttpRequest.newBuilder(gateway.uri("/api/users")).header("X-Tenant", "t1"));

      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
      assertThat(refused.headers().firstValue("cache-control")).hasValue("no-store");
      assertThat(refused.body())
          .contains("header-stamp-missing-header", "lacks the X-Tenant header");
      assertThat(passed.statusCode()).isEqualTo(200);
      assertThat(origin.requests())
          .singleElement()
          .satisfies(r -> assertThat(r.header("X-Tenant")).isEqualTo("t1"));
    }
  }

  @Test
  void reportsEveryConfigProblemWhereItIsWritten() {
    String config =
        """
        routes:
          - name: api
            paths: [ "/api/" ]
            plugins:
              header-stamp: { name: "X Gateway", require: [ "X Tenant" ], respond: true }
              mock: {}
        """;

    assertThat(TestGateway.problems(config))
        .containsExactly(
            "portico.yaml:5:21: routes[0].plugins.header-stamp.value: missing (expected: a header"
                + " value)",
            "portico.yaml:5:29: routes[0].plugins.header-stamp.name: \"X Gateway\" (expected: a"
                + " header name such as X-Gateway)",
            "portico.yaml:5:53: routes[0].plugins.header-stamp.require[0]: \"X Tenant\" (expected:"
                + " a header name such as X-Gateway)",
            "portico.yaml:5:67: routes[0].plugins.header-stamp.respond: unknown key \"respond\""
                + " (expected one of: name, require, response, value); did you mean \"response\"?");
  }

  @Test
  void publishesASchemaThatDescribesEveryKeyItReads() {
    assertThat(
            PluginSchemaCheck.problems(
                new HeaderStampFactory(),
                "{ name: X-Gateway, value: portico }",
                "{ name: X-Gateway, value: portico, response: true, require: [ X-Tenant ] }"))
        .isEmpty();
    assertThat(PluginSchemaCheck.problems(new HeaderStampFactory(), "{ name: X-Gateway }"))
        .containsExactly(
            "header-stamp: example {\"name\":\"X-Gateway\"}: value: missing (expected: required)");
  }
}
