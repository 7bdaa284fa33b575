package io.portico.proxy;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugin.TestBodyTransformFactory;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The body stages of the plugin SPI over real sockets ({@code test-body-transform}): response
 * bodies streamed per chunk and per server-sent event, or transformed whole, with the framing fixed
 * by the gateway; limits and failing steps answered precisely; request bodies replaced. The leak
 * detector (paranoid, failing the class) checks every path releases what it holds.
 */
class BodyStagesEndToEndTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            TestBodyTransformFactory.routes(
                env.origin().authority(),
                Map.ofEntries(
                    entry("upper", "upper"),
                    entry("events", "events"),
                    entry("whole", "whole"),
                    entry("small", "whole, max-bytes: 1000"),
                    entry("throw", "throw"),
                    entry("same", "same"),
                    entry("replace", "replace-request"))));
  }

  @Test
  void streamsATransformedBodyChunkedWithoutTheUpstreamsLength() throws Exception {
    HttpResponse<String> r = gw.get("/upper/slow-body/10");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("FIRST,SECOND!END");
    assertThat(r.headers().firstValue("content-length")).isEmpty();
    assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
  }

  @Test
  void givesATransformedBodyThatArrivedInOnePieceItsOwnLength() throws Exception {
    HttpResponse<String> r = gw.get("/upper/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("HELLO, WORLD!!END");
    assertThat(r.headers().firstValue("content-length")).hasValue("17");
    assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
  }

  @Test
  void sendsEachChunkAsItArrives() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("GET /upper/slow-body/1500 HTTP/1.1\r\nHost: x\r\n\r\n");
      long start = System.nanoTime();
      String first = c.readUntil("FIRST,", 1000);
      assertThat(first).contains("FIRST,");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
      assertThat(c.readUntil("!END", 3000)).contains("SECOND").contains("!END");
    }
  }

  @Test
  void passesEachServerSentEventWholeAndFlushesItAtOnce() throws Exception {
    HttpResponse<InputStream> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/events/events/1500")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
    try (InputStream in = r.body()) {
      long start = System.nanoTime();
      StringBuilder seen = new StringBuilder();
      byte[] buf = new byte[256];
      while (!seen.toString().contains("DATA: TWO")) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      // The first two events came before the origin sent the third.
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1200);
      seen.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      assertThat(seen.toString())
          .isEqualTo("DATA: ONE\n\nDATA: TWO\r\n\r\nDATA: THREE\n\n: 3 events\n\n");
    }
  }

  @Test
  void transformsAWholeBodyAndSendsItsExactLengthAndNewHeaders() throws Exception {
    HttpResponse<String> r = gw.get("/whole/download?bytes=5000");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"length\":5000}");
    assertThat(r.headers().firstValue("content-length")).hasValue("15");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(r.headers().firstValue("transfer-encoding")).isEmpty();
  }

  @Test
  void answers502WhenTheBodyExceedsWhatAWholeTransformAccepts() throws Exception {
    HttpResponse<String> r = gw.get("/small/download?bytes=100000");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("upstream-response-too-large");
    assertThat(gw.get("/small/hello").body()).isEqualTo("{\"length\":13}");
  }

  @Test
  void answers500WhenATransformStepFailsBeforeTheResponseStarted() throws Exception {
    HttpResponse<String> r = gw.get("/throw/hello");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("plugin-error");
    assertThat(gw.get("/plain/hello").body()).isEqualTo("Hello, World!");
  }

  @Test
  void aStepThatReturnsItsInputSendsTheBodyUnchanged() throws Exception {
    HttpResponse<String> r = gw.get("/same/download?bytes=70000");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(70000);
  }

  @Test
  void leavesResponsesWithoutABodyAlone() throws Exception {
    HttpResponse<Void> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/upper/hello"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-length")).hasValue("13");
    assertThat(gw.get("/upper/status/204").statusCode()).isEqualTo(204);
  }

  @Test
  void closesToFrameATransformedBodyForAnHttp10Client() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("GET /upper/hello HTTP/1.0\r\nHost: x\r\n\r\n");
      String response = c.readUntil("!END", 3000);
      assertThat(response).contains("HELLO, WORLD!!END").doesNotContain("chunked");
      assertThat(response.toLowerCase()).contains("connection: close");
      assertThat(c.closedByServer(2000)).isTrue();
    }
  }

  @Test
  void forwardsAReplacedRequestBodyWithItsOwnLength() throws Exception {
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/replace/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("hello")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("replaced:HELLO");
    assertThat(env.origin().lastRequest().headers().get("content-length")).isEqualTo("14");
  }

  @Test
  void replacesAChunkedRequestBodyAndDropsTheChunkedFraming() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send(
          "POST /replace/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n");
      assertThat(c.readUntil("replaced:ABCDE", 3000)).contains("replaced:ABCDE");
    }
    assertThat(env.origin().lastRequest().headers().get("content-length")).isEqualTo("14");
    assertThat(env.origin().lastRequest().headers().contains("transfer-encoding")).isFalse();
  }
}
