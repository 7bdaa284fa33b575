package io.portico.aggregate;

import static io.portico.testing.ScriptedOrigin.chunk;
import static io.portico.testing.ScriptedOrigin.chunkedHead;
import static io.portico.testing.ScriptedOrigin.full;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.testing.GatewayFixture;
import io.portico.testing.ScriptedOrigin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Backends an attacker controls (or a broken one) against an aggregate route: a body over {@code
 * max-body-size} declared or streamed, a chunked body that never ends, a {@code Content-Length}
 * that promises more than comes, a reset in the middle of a body, bodies that are not JSON (cut
 * short, trailing garbage after a value; a lone surrogate escape is written back as an escape), and
 * backends that never answer with many others waiting on the deadline. The client always gets the
 * documented status with a problem or a {@code _failures} member, the gateway keeps serving, and
 * every buffer is released (the leak detector runs paranoid in tests).
 */
class AggregateAttackTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] OK = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

  private static final int CRUMBS = 8_000;
  private static ScriptedOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin =
        ScriptedOrigin.start()
            .on(
                "/ok",
                (ctx, req) -> ctx.writeAndFlush(full(200, OK, "Content-Type", "application/json")))
            .on(
                "/huge-declared",
                (ctx, req) ->
                    ctx.writeAndFlush(
                        full(200, new byte[8192], "Content-Type", "application/json")))
            .on(
                "/huge-chunked",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "Content-Type", "application/json"));
                  ctx.write(chunk("[".getBytes(StandardCharsets.UTF_8)));
                  for (int i = 0; i < 64; i++) {
                    ctx.write(chunk("1,".repeat(100).getBytes(StandardCharsets.UTF_8)));
                  }
                  ctx.flush();
                })
            .on(
                "/endless",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "Content-Type", "application/json"));
                  ctx.writeAndFlush(chunk("[1,".getBytes(StandardCharsets.UTF_8)));
                })
            .on(
                "/lying-length",
                (ctx, req) -> {
                  DefaultHttpResponse head =
                      new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                  head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                  head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 500);
                  ctx.write(head);
                  ctx.writeAndFlush(chunkBytes("{\"a\":")).addListener(f -> ctx.close());
                })
            .on(
                "/reset",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "Content-Type", "application/json"));
                  ctx.writeAndFlush(chunk("{\"a\":[1,2,".getBytes(StandardCharsets.UTF_8)))
                      .addListener(
                          f -> {
                            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                            ctx.close();
                          });
                })
            .on("/cut", (ctx, req) -> ctx.writeAndFlush(json("{\"id\": 1,")))
            .on("/trailing", (ctx, req) -> ctx.writeAndFlush(json("{\"id\":1} {\"admin\":true}")))
            .on("/garbage", (ctx, req) -> ctx.writeAndFlush(json("{\"id\":1}<script>")))
            .on("/surrogate", (ctx, req) -> ctx.writeAndFlush(json("{\"name\":\"\\ud800\"}")))
            .on(
                "/short-length",
                (ctx, req) -> {
                  DefaultHttpResponse head =
                      new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                  head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                  head.headers().set(HttpHeaderNames.CONTENT_LENGTH, 7);
                  ctx.write(head);
                  ctx.writeAndFlush(
                      chunkBytes(
                          "{\"a\":1}HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n{\"forged\":1}"));
                })
            .on(
                "/crumbs",
                (ctx, req) -> {
                  ctx.write(chunkedHead(200, "Content-Type", "application/json"));
                  ctx.write(chunk("[".getBytes(StandardCharsets.UTF_8)));
                  for (int i = 0; i < CRUMBS; i++) {
                    ctx.write(chunk((i == 0 ? "1" : ",1").getBytes(StandardCharsets.UTF_8)));
                  }
                  ctx.write(chunk("]".getBytes(StandardCharsets.UTF_8)));
                  ctx.writeAndFlush(ScriptedOrigin.end());
                })
            .on("/silent", (ctx, req) -> {});
    gw =
        GatewayFixture.start(
            """
            services:
              - name: b
                targets: [ "%1$s" ]
                timeouts: { response: 10s, idle: 10s }
              - name: good
                targets: [ "%1$s" ]
            routes:
            %2$s
            """
                .formatted(origin.authority(), routes()));
  }

  private static String routes() {
    StringBuilder sb = new StringBuilder();
    for (String path :
        new String[] {
          "huge-declared",
          "huge-chunked",
          "endless",
          "lying-length",
          "reset",
          "cut",
          "trailing",
          "garbage",
          "surrogate",
          "short-length"
        }) {
      sb.append(
          """
            - name: %1$s
              paths: [ /%1$s ]
              aggregate:
                timeout: 1500ms
                max-body-size: 4096
                backends:
                  - { name: ok, service: good, path: /ok }
                  - { name: bad, service: b, path: /%1$s }
            - name: strict-%1$s
              paths: [ /strict-%1$s ]
              aggregate:
                timeout: 1500ms
                max-body-size: 4096
                failure: strict
                backends:
                  - { name: ok, service: good, path: /ok }
                  - { name: bad, service: b, path: /%1$s }
          """
              .formatted(path));
    }
    for (String path : new String[] {"huge-declared", "huge-chunked", "endless", "reset"}) {
      sb.append(
          """
            - name: single-%1$s
              paths: [ /single-%1$s ]
              aggregate:
                timeout: 1500ms
                max-body-size: 4096
                backends:
                  - { name: bad, service: b, path: /%1$s }
          """
              .formatted(path));
    }
    sb.append(
        """
          - name: crumbs
            paths: [ /crumbs ]
            aggregate:
              timeout: 10s
              max-body-size: 65536
              backends:
                - { name: ok, service: good, path: /ok }
                - { name: crumbs, service: b, path: /crumbs, group: items }
        """);
    sb.append(
        """
          - name: many-silent
            paths: [ /many-silent ]
            aggregate:
              timeout: 1500ms
              backends:
        """);
    for (int i = 0; i < 12; i++) {
      sb.append("          - { name: s").append(i).append(", service: b, path: /silent }\n");
    }
    sb.append("          - { name: ok, service: good, path: /ok }\n");
    sb.append(
        """
          - name: required-silent
            paths: [ /required-silent ]
            aggregate:
              timeout: 1500ms
              backends:
                - { name: ok, service: good, path: /ok }
                - { name: s, service: b, path: /silent, required: true }
                - { name: s2, service: b, path: /silent }
        """);
    return sb.toString().indent(0);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static io.netty.handler.codec.http.HttpContent chunkBytes(String s) {
    return new io.netty.handler.codec.http.DefaultHttpContent(
        Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  private static io.netty.handler.codec.http.FullHttpResponse json(String body) {
    return full(200, body.getBytes(StandardCharsets.UTF_8), "Content-Type", "application/json");
  }

  /** Under {@code partial}, a 200 whose {@code _failures.bad.cause} is {@code cause}. */
  private static void partialFailure(String path, String cause) throws Exception {
    HttpResponse<String> r = gw.get("/" + path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    assertThat(r.headers().firstValue("X-Portico-Aggregate-Failed")).hasValue("bad");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("ok").asBoolean()).isTrue();
    assertThat(body.path("_failures").path("bad").path("cause").asText()).as(path).isEqualTo(cause);
    assertThat(r.body()).doesNotContain("127.0.0.1").doesNotContain("admin");
  }

  /** Under {@code strict}, a problem of {@code status} naming {@code cause}. */
  private static void strictFailure(String path, int status, String cause) throws Exception {
    HttpResponse<String> r = gw.get("/strict-" + path);
    assertThat(r.statusCode()).as(path).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("failures").path("bad").path("cause").asText()).as(path).isEqualTo(cause);
    assertThat(r.body()).doesNotContain("127.0.0.1");
  }

  @Test
  void aBodyOverTheCapFailsItsBackendWhetherDeclaredOrStreamed() throws Exception {
    partialFailure("huge-declared", "upstream_response_too_large");
    partialFailure("huge-chunked", "upstream_response_too_large");
    strictFailure("huge-declared", 502, "upstream_response_too_large");
    strictFailure("huge-chunked", 502, "upstream_response_too_large");
  }

  @Test
  void aChunkedBodyThatNeverEndsTimesOut() throws Exception {
    partialFailure("endless", "timeout");
    strictFailure("endless", 504, "timeout");
  }

  @Test
  void aContentLengthThatLiesOrAResetMidBodyFailsTheBackend() throws Exception {
    for (String path : new String[] {"lying-length", "reset"}) {
      HttpResponse<String> r = gw.get("/" + path);
      assertThat(r.statusCode()).as(path).isEqualTo(200);
      String cause = JSON.readTree(r.body()).path("_failures").path("bad").path("cause").asText();
      assertThat(cause).as(path).isIn("upstream_reset", "upstream_protocol_error");
      HttpResponse<String> s = gw.get("/strict-" + path);
      assertThat(s.statusCode()).as(path).isEqualTo(502);
    }
  }

  @Test
  void bodiesThatAreNotOneJsonValueAreMalformed() throws Exception {
    for (String path : new String[] {"cut", "trailing", "garbage"}) {
      partialFailure(path, "malformed_json");
      strictFailure(path, 502, "malformed_json");
    }
  }

  @Test
  void aLoneSurrogateEscapeIsWrittenBackAsAnEscape() throws Exception {
    HttpResponse<String> r = gw.get("/strict-surrogate");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\\uD800");
    assertThat(JSON.readTree(r.body()).path("ok").asBoolean()).isTrue();
  }

  @Test
  void manyBackendsThatNeverAnswerEndAtTheDeadline() throws Exception {
    HttpResponse<String> r = gw.get("/many-silent");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("ok").asBoolean()).as(r.body()).isTrue();
    assertThat(body.path("_failures").size()).isEqualTo(12);
    body.path("_failures").forEach(f -> assertThat(f.path("cause").asText()).isEqualTo("timeout"));

    HttpResponse<String> required = gw.get("/required-silent");
    assertThat(required.statusCode()).isEqualTo(504);
    assertThat(JSON.readTree(required.body()).path("type").asText()).endsWith("aggregate-timeout");
  }

  @Test
  void aOneBackendAggregatePassesNoPartOfABrokenBodyThrough() throws Exception {
    for (String path : new String[] {"huge-declared", "huge-chunked", "endless", "reset"}) {
      HttpResponse<String> r = gw.get("/single-" + path);
      assertThat(r.statusCode()).as(path).isIn(502, 504);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(r.body()).doesNotContain("1,1,1").doesNotContain("[1,");
    }
  }

  @Test
  void bytesAfterAShortContentLengthAreNeverReadAsTheNextAnswer() throws Exception {
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = gw.get("/short-length");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("forged");
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.path("ok").asBoolean()).isTrue();
      assertThat(body.path("a").asInt()).isEqualTo(1);
      assertThat(body.has("_failures")).isFalse();
    }
  }

  @Test
  void aBodyInThousandsOfOneByteChunksIsGatheredWhole() throws Exception {
    HttpResponse<String> r = gw.get("/crumbs");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.has("_failures")).as(r.body()).isFalse();
    assertThat(body.path("items").size()).isEqualTo(CRUMBS);
  }

  @Test
  void theGatewayKeepsServingAfterEveryAttack() throws Exception {
    for (String path : new String[] {"reset", "surrogate", "endless", "huge-chunked"}) {
      gw.get("/" + path);
    }
    HttpResponse<String> r = gw.get("/cut");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(r.body()).path("ok").asBoolean()).isTrue();
  }
}
