package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client connections' codec, on its own: shared names, and what HttpServerCodec does. */
class ClientCodecTest {

  private static EmbeddedChannel channel(int depth) {
    return new EmbeddedChannel(
        new ClientCodec(new HttpDecoderConfig().setValidateHeaders(true), depth));
  }

  private static void send(EmbeddedChannel ch, String raw) {
    ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
  }

  /** The requests decoded so far; their contents are released. */
  private static List<HttpRequest> requests(EmbeddedChannel ch) {
    List<HttpRequest> requests = new ArrayList<>();
    for (Object msg; (msg = ch.readInbound()) != null; ) {
      if (msg instanceof HttpRequest request) {
        requests.add(request);
      }
      if (msg instanceof HttpContent) {
        ReferenceCountUtil.release(msg);
      }
    }
    return requests;
  }

  private static String written(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
      out.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return out.toString();
  }

  private static FullHttpResponse response(String body, String... fields) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
    for (int i = 0; i < fields.length; i += 2) {
      response.headers().add(fields[i], fields[i + 1]);
    }
    return response;
  }

  private static AsciiString shared(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    return ClientCodec.NAMES.find(bytes, 0, bytes.length);
  }

  @Test
  void decodesCommonNamesToSharedConstantsKeepingTheClientsBytes() {
    EmbeddedChannel ch = channel(16);
    send(
        ch,
        "GET /a HTTP/1.1\r\nHost: h\r\nUser-Agent: one\r\nuser-agent: two\r\nUSER-AGENT: three\r\n"
            + "X-Custom: four\r\nAccept-Encoding: gzip\r\n\r\n");
    List<HttpRequest> requests = requests(ch);
    assertThat(requests).hasSize(1);
    List<CharSequence> names = new ArrayList<>();
    Iterator<Map.Entry<CharSequence, CharSequence>> it =
        requests.get(0).headers().iteratorCharSequence();
    while (it.hasNext()) {
      names.add(it.next().getKey());
    }
    assertThat(names.stream().map(CharSequence::toString))
        .containsExactly(
            "Host", "User-Agent", "user-agent", "USER-AGENT", "X-Custom", "Accept-Encoding");
    assertThat(names.get(1)).isSameAs(shared("User-Agent"));
    assertThat(names.get(2)).isSameAs(shared("user-agent"));
    assertThat(names.get(5)).isSameAs(shared("Accept-Encoding"));
    // Only exactly the listed bytes are shared: other spellings and other names are new.
    assertThat((Object) shared("USER-AGENT")).isNull();
    assertThat((Object) shared("X-Custom")).isNull();
    assertThat(requests.get(0).headers().getAll("user-agent"))
        .containsExactly("one", "two", "three");
    ch.finishAndReleaseAll();
  }

  @Test
  void stillRefusesANameWithWhiteSpaceBeforeTheColon() {
    EmbeddedChannel ch = channel(16);
    send(ch, "GET / HTTP/1.1\r\nHost : h\r\n\r\n");
    List<HttpRequest> requests = requests(ch);
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).decoderResult().isFailure()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void answersHeadWithoutABodyAndPipelinedRequestsInOrder() {
    EmbeddedChannel ch = channel(16);
    send(ch, "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(requests(ch)).hasSize(2);
    ch.writeOutbound(response("hello", "Content-Length", "5"));
    ch.writeOutbound(response("hello", "Content-Length", "5"));
    String out = written(ch);
    assertThat(out)
        .isEqualTo(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    ch.finishAndReleaseAll();
  }

  @Test
  void answersASuccessfulConnectWithoutTransferEncoding() {
    EmbeddedChannel ch = channel(16);
    send(ch, "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n");
    assertThat(requests(ch)).hasSize(1);
    ch.writeOutbound(response("", "Transfer-Encoding", "chunked"));
    String out = written(ch);
    assertThat(out).startsWith("HTTP/1.1 200 OK\r\n\r\n").doesNotContain("ransfer-");
    ch.finishAndReleaseAll();
    // The same as Netty's own server codec, byte for byte.
    EmbeddedChannel netty = new EmbeddedChannel(new HttpServerCodec());
    send(netty, "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n");
    assertThat(requests(netty)).hasSize(1);
    netty.writeOutbound(response("", "Transfer-Encoding", "chunked"));
    assertThat(written(netty)).isEqualTo(out);
    netty.finishAndReleaseAll();
  }

  @Test
  void failsARequestFramedTwoWaysAsNettysCodecDoes() {
    for (EmbeddedChannel ch : List.of(channel(16), new EmbeddedChannel(new HttpServerCodec()))) {
      send(
          ch,
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n0\r\n\r\n");
      List<HttpRequest> requests = requests(ch);
      assertThat(requests).hasSize(1);
      assertThat(requests.get(0).decoderResult().cause())
          .isInstanceOf(ContentLengthNotAllowedException.class);
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void keepsAnOrdinaryConnectionOpenAfterItsResponse() {
    EmbeddedChannel ch = channel(16);
    send(ch, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
    assertThat(requests(ch)).hasSize(1);
    ch.writeOutbound(response("ok", "Content-Length", "2"));
    assertThat(written(ch)).endsWith("\r\n\r\nok");
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void failsPastThePipelineDepthAndDropsWhatFollows() {
    EmbeddedChannel ch = channel(2);
    String get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    assertThatThrownBy(() -> send(ch, get + get + get))
        .isInstanceOf(DecoderException.class)
        .hasMessageContaining("maxPipelineDepth exceeded: 2");
    assertThat(requests(ch)).hasSize(2);
    send(ch, get);
    assertThat(requests(ch)).isEmpty();
    // As with Netty's HttpServerCodec, the connection closes once the next response is out.
    ch.writeOutbound(response("", "Content-Length", "0"));
    ch.runPendingTasks();
    assertThat(written(ch)).startsWith("HTTP/1.1 200 OK");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void answersMoreRequestsThanTheDepthWhenEachIsAnsweredInTurn() {
    EmbeddedChannel ch = channel(1);
    for (int i = 0; i < 3; i++) {
      send(ch, "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(requests(ch)).hasSize(1);
      ch.writeOutbound(response("x", "Content-Length", "1"));
      assertThat(written(ch)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n");
    }
    assertThat(ch.isOpen()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void refusesADepthItCannotTrack() {
    assertThatThrownBy(() -> new ClientCodec(new HttpDecoderConfig(), 33))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClientCodec(new HttpDecoderConfig(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void removesItselfForAnUpgrade() {
    ClientCodec codec = new ClientCodec(new HttpDecoderConfig(), 16);
    EmbeddedChannel ch = new EmbeddedChannel(codec);
    codec.upgradeFrom(ch.pipeline().context(codec));
    assertThat(ch.pipeline().get(ClientCodec.class)).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void decodesIntoARequestGivenBackWithNothingOfItLeft() {
    EmbeddedChannel ch = channel(16);
    send(ch, "GET /a?x=1 HTTP/1.1\r\nHost: one\r\nCookie: c=1\r\nX-First: yes\r\n\r\n");
    HttpRequest first = requests(ch).get(0);
    ClientCodec.recycle(first);
    send(ch, "POST /b HTTP/1.0\r\nHost: two\r\nContent-Length: 2\r\n\r\nok");
    List<HttpRequest> next = requests(ch);
    assertThat(next).hasSize(1);
    HttpRequest second = next.get(0);
    assertThat(second).isSameAs(first);
    assertThat(second.method()).isEqualTo(HttpMethod.POST);
    assertThat(second.uri()).isEqualTo("/b");
    assertThat(second.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
    assertThat(second.decoderResult().isSuccess()).isTrue();
    assertThat(second.headers().names()).containsExactly("Host", "Content-Length");
    assertThat(second.headers().get("host")).isEqualTo("two");
    ch.finishAndReleaseAll();
  }

  @Test
  void decodesIntoANewRequestUnlessOneWasGivenBack() {
    EmbeddedChannel ch = channel(16);
    String get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    send(ch, get + get);
    List<HttpRequest> pipelined = requests(ch);
    assertThat(pipelined).hasSize(2);
    assertThat(pipelined.get(1)).isNotSameAs(pipelined.get(0));
    // one spare at a time, used once
    ClientCodec.recycle(pipelined.get(1));
    send(ch, get + get);
    List<HttpRequest> after = requests(ch);
    assertThat(after.get(0)).isSameAs(pipelined.get(1));
    assertThat(after.get(1)).isNotSameAs(pipelined.get(1)).isNotSameAs(pipelined.get(0));
    ch.finishAndReleaseAll();
  }

  @Test
  void takesBackOnlyItsOwnRequests() {
    EmbeddedChannel one = channel(16);
    EmbeddedChannel two = channel(16);
    String get = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
    send(one, get);
    HttpRequest ofOne = requests(one).get(0);
    ClientCodec.recycle(ofOne);
    ClientCodec.recycle(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
    send(two, get);
    assertThat(requests(two).get(0)).isNotSameAs(ofOne);
    send(one, get);
    assertThat(requests(one).get(0)).isSameAs(ofOne);
    one.finishAndReleaseAll();
    two.finishAndReleaseAll();
  }

  @Test
  void decodesAnUnusualVersionIntoANewRequestAndKeepsTheSpare() {
    EmbeddedChannel ch = channel(16);
    send(ch, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    HttpRequest first = requests(ch).get(0);
    ClientCodec.recycle(first);
    send(ch, "GET / HTTP/1.2\r\nHost: h\r\n\r\n");
    HttpRequest unusual = requests(ch).get(0);
    assertThat(unusual).isNotSameAs(first);
    assertThat(unusual.protocolVersion().text()).isEqualTo("HTTP/1.2");
    send(ch, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(requests(ch).get(0)).isSameAs(first);
    ch.finishAndReleaseAll();
  }

  @Test
  void decodesAnyRequestLineIntoARequestGivenBackAsIntoANewOne() {
    List<String> lines =
        List.of(
            "GET /ok HTTP/1.1",
            "GET /a\tb HTTP/1.1",
            "GET /a\u0001b HTTP/1.1",
            "OPTIONS * HTTP/1.1",
            "PURGE /x HTTP/1.1",
            "GET http://h/x HTTP/1.0");
    for (String line : lines) {
      String raw = line + "\r\nHost: h\r\n\r\n";
      EmbeddedChannel fresh = channel(16);
      send(fresh, raw);
      HttpRequest expected = requests(fresh).get(0);
      EmbeddedChannel reusing = channel(16);
      send(reusing, "DELETE /before HTTP/1.1\r\nHost: before\r\nX-Before: 1\r\n\r\n");
      ClientCodec.recycle(requests(reusing).get(0));
      send(reusing, raw);
      HttpRequest actual = requests(reusing).get(0);
      assertThat(actual.decoderResult().isSuccess())
          .as(line)
          .isEqualTo(expected.decoderResult().isSuccess());
      if (expected.decoderResult().isSuccess()) {
        assertThat(actual.method()).as(line).isEqualTo(expected.method());
        assertThat(actual.uri()).as(line).isEqualTo(expected.uri());
        assertThat(actual.protocolVersion()).as(line).isEqualTo(expected.protocolVersion());
        assertThat(actual.headers().entries().toString())
            .as(line)
            .isEqualTo(expected.headers().entries().toString());
      }
      fresh.finishAndReleaseAll();
      reusing.finishAndReleaseAll();
    }
  }

  @Test
  void answersAnAbsentNameWithTheSharedEmptyListAndValidatesFieldsAsNettyDoes() {
    EmbeddedChannel ch = channel(16);
    send(ch, "GET / HTTP/1.1\r\nHost: h\r\nX-Two: a\r\nX-Two: b\r\n\r\n");
    HttpRequest request = requests(ch).get(0);
    assertThat(request.headers().getAll("content-length")).isSameAs(List.of());
    assertThat(request.headers().getAll("x-two")).containsExactly("a", "b");
    assertThat(request.headers().getAll("X-Two")).containsExactly("a", "b");
    ch.finishAndReleaseAll();
    for (String field :
        List.of("X-A: ok", "X-A: a\u0000b", "X-A: a\u007fb", "X\u0001A: b", "X-A: \u00e9")) {
      String raw = "GET / HTTP/1.1\r\nHost: h\r\n" + field + "\r\n\r\n";
      EmbeddedChannel ours = channel(16);
      send(ours, raw);
      EmbeddedChannel netty =
          new EmbeddedChannel(
              new HttpServerCodec(new HttpDecoderConfig().setValidateHeaders(true)));
      send(netty, raw);
      assertThat(requests(ours).get(0).decoderResult().isSuccess())
          .as(field)
          .isEqualTo(requests(netty).get(0).decoderResult().isSuccess());
      ours.finishAndReleaseAll();
      netty.finishAndReleaseAll();
    }
  }
}
