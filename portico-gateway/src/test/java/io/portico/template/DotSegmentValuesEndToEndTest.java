package io.portico.template;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A templated upstream path whose value is {@code .} or {@code ..}: dots are unreserved, so the
 * encoded value is still a dot segment, and {@code /files/${query.name}/meta} with {@code ?name=..}
 * would reach {@code /meta} on the upstream. The request-transformer's path and an aggregate
 * backend's path, the gateway in-process, a recording origin on a real socket.
 */
class DotSegmentValuesEndToEndTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: files
                paths: [ /files ]
                service: backend
                plugins:
                  request-transformer:
                    path: "/files/${query.name}/meta"
              - name: screen
                paths: [ /screen ]
                aggregate:
                  backends:
                    - { name: file, service: backend, path: "/files/${query.name}/meta" }
            """
                .formatted(env.origin().authority()));
  }

  private int before;

  @BeforeEach
  void count() {
    before = env.origin().requestCount();
  }

  private void assertNoDotSegmentForwarded() {
    for (HttpRequest r : env.origin().requests()) {
      assertThat(r.uri()).doesNotContain("/../").doesNotContain("/./");
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "."})
  void theRequestTransformerRefusesAPathAValueTurnsIntoADotSegment(String name) throws Exception {
    HttpResponse<String> r = gw.get("/files?name=" + name);

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("request-transformation-failed").contains("dot segment");
    assertNoDotSegmentForwarded();
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "."})
  void anAggregateBackendWithSuchAPathFailsWithoutACall(String name) throws Exception {
    HttpResponse<String> r = gw.get("/screen?name=" + name);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("backend_request_invalid");
    assertNoDotSegmentForwarded();
  }

  @ParameterizedTest
  @ValueSource(strings = {"...", "a..", "..%2F"})
  void valuesThatAreNotDotSegmentsStillGo(String name) throws Exception {
    HttpResponse<String> r = gw.get("/files?name=" + name);

    assertThat(r.statusCode()).isNotEqualTo(400);
    String uri = env.origin().lastRequest().uri();
    assertThat(uri.substring(0, uri.indexOf('?'))).startsWith("/files/").endsWith("/meta");
  }
}
