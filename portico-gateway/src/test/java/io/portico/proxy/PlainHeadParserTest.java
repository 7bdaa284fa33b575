package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client codec's own reading of plain request heads beside Netty's decoder: for odd-but-legal
 * heads, refused heads and heads cut anywhere, what comes out is what Netty's {@code
 * HttpRequestDecoder} makes of the same bytes; a request given back never keeps anything of an
 * earlier one; values that repeat on a connection are the same strings.
 */
class PlainHeadParserTest {

  private static HttpDecoderConfig config() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(256)
        .setMaxHeaderSize(512)
        .setMaxChunkSize(16)
        .setValidateHeaders(true)
        .setAllowDuplicateContentLengths(false)
        .setAllowPartialChunks(true);
  }

  private static final String LONG = "v".repeat(600);

  /** Heads (and bodies) that Netty accepts, odd ones included. */
  static final List<String> ACCEPTED =
      List.of(
          "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
          "GET /hello HTTP/1.1\r\nHost: bench.test\r\nUser-Agent: portico-alloc/1\r\n\r\n",
          "GET /a?b=c&d=%20e#f HTTP/1.0\r\n\r\n",
          "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
          "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
          "GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n",
          "HEAD /x HTTP/1.1\r\nhost: h\r\nACCEPT: */*\r\nx-odd-NAME: v\r\n\r\n",
          "GET / HTTP/1.1\r\nHost:h\r\nX-Empty:\r\nX-Spaces:   \r\nX-Tab:\tv\t\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX-Inner: a  b\tc\r\nX-Sym: !#$%&'*+-.^_`|~\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX-Two: a\r\nx-two: b\r\nX-TWO: c\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; b=2\r\nCookie: c=3\r\n\r\n",
          "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
          "POST /p HTTP/1.1\r\nHost: h\r\ncontent-length: 0\r\n\r\n",
          "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\n\r\n" + "b".repeat(40),
          "PUT /p HTTP/1.0\r\nContent-Length:  3 \r\n\r\nabc",
          "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n1234567",
          "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
          "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3;x=y\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
          "PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n",
          "get /x HTTP/1.1\r\nHost: h\r\n\r\n",
          "GET  /x  HTTP/1.1\r\nHost: h\r\n\r\n",
          "\r\nGET /after-blank HTTP/1.1\r\nHost: h\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\u00e9\r\n\r\n",
          "GET /a\u0001b HTTP/1.1\r\nHost: h\r\n\r\n",
          "DELETE /d HTTP/1.1\r\nHost: h\r\n\r\nPATCH /e HTTP/1.1\r\nHost: h\r\n"
              + "Content-Length: 2\r\n\r\nokTRACE /f HTTP/1.1\r\nHost: h\r\n\r\n");

  /** Heads that Netty's decoder refuses (its result is a failure). */
  static final List<String> REFUSED =
      List.of(
          "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX\u0001A: b\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\u007fb\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n",
          "GET / HTTP/1.1\nHost: h\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\n: empty-name\r\n\r\n",
          "GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + LONG + "\r\n\r\n",
          "GET /" + LONG + " HTTP/1.1\r\nHost: h\r\n\r\n",
          "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
          "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "3\r\nabc\r\n0\r\n\r\n",
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");

  @Test
  void decodesEveryAcceptedHeadAsNettysDecoder() {
    for (String raw : ACCEPTED) {
      assertSameAsNetty(raw);
    }
  }

  @Test
  void refusesEveryHeadNettysDecoderRefuses() {
    for (String raw : REFUSED) {
      List<String> netty = describe(decodeWithNetty(List.of(raw)));
      assertThat(netty).as(raw).anyMatch(line -> line.contains("failure"));
      assertSameAsNetty(raw);
    }
  }

  /** Cut at every byte, a head and its body decode to the same as when sent whole. */
  @Test
  void decodesHeadsCutAnywhereAsNettysDecoder() {
    for (String raw :
        List.of(ACCEPTED.get(1), ACCEPTED.get(13), ACCEPTED.get(ACCEPTED.size() - 1))) {
      for (int cut = 1; cut < raw.length(); cut++) {
        List<String> parts = List.of(raw.substring(0, cut), raw.substring(cut));
        assertThat(contents(describe(decodeWithCodec(parts))))
            .as("cut at %d of %s", cut, raw)
            .isEqualTo(contents(describe(decodeWithNetty(List.of(raw)))));
      }
    }
  }

  /** Heads larger than the array the parser keeps, between smaller ones, as Netty decodes them. */
  @Test
  void decodesHeadsLargerThanTheKeptArrayAsNettysDecoder() {
    HttpDecoderConfig large = config().setMaxHeaderSize(16384);
    String big = "GET /big HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(6000) + "\r\n\r\n";
    String mid = "GET /mid HTTP/1.1\r\nHost: h\r\nX-Mid: " + "m".repeat(3000) + "\r\n\r\n";
    String all = ACCEPTED.get(1) + big + mid + big + ACCEPTED.get(1) + mid;
    EmbeddedChannel ours = new EmbeddedChannel(new ClientCodec(large, 16));
    EmbeddedChannel netty = new EmbeddedChannel(new HttpRequestDecoder(large));
    assertThat(describe(decode(ours, List.of(all))))
        .isEqualTo(describe(decode(netty, List.of(all))));
  }

  /**
   * A head with an {@code Expect} field, in any case, is never a plain one: the exchange skips the
   * lookup of {@code Expect} for plain heads.
   */
  @Test
  void aHeadWithAnExpectFieldIsNeverPlain() {
    for (String expect : List.of("Expect", "expect", "EXPECT", "eXpEcT")) {
      for (String value : List.of("100-continue", "100-Continue", "other")) {
        for (String other : List.of("", "X-A: b\r\n")) {
          String raw =
              "POST /e HTTP/1.1\r\nHost: h\r\n"
                  + other
                  + expect
                  + ": "
                  + value
                  + "\r\n"
                  + "Content-Length: 2\r\n\r\nok";
          assertThat(plainBodyLength(raw)).as(raw).isEqualTo(-1);
        }
      }
    }
    assertThat(
            plainBodyLength(
                "POST /p HTTP/1.1\r\nHost: h\r\nX-Expect: 1\r\nContent-Length: 2\r\n\r\nok"))
        .isEqualTo(2);
  }

  /** The body length the codec's plain parser found for a head, -1 when Netty's decoder read it. */
  private static long plainBodyLength(String raw) {
    EmbeddedChannel ch = new EmbeddedChannel(new ClientCodec(config(), 16));
    try {
      send(ch, raw);
      List<Object> out = drain(ch);
      try {
        assertThat(out.get(0)).as(raw).isInstanceOf(ClientCodec.Request.class);
        return ((ClientCodec.Request) out.get(0)).plainBodyLength();
      } finally {
        out.forEach(ReferenceCountUtil::release);
      }
    } finally {
      ch.finishAndReleaseAll();
    }
  }

  @Test
  void neverLeavesAnEarlierRequestsFieldsInARequestGivenBack() {
    EmbeddedChannel ch = new EmbeddedChannel(new ClientCodec(config(), 16));
    List<String> heads = new ArrayList<>(ACCEPTED);
    heads.addAll(ACCEPTED);
    for (String raw : heads) {
      send(ch, raw);
      List<Object> out = drain(ch);
      List<HttpRequest> requests = new ArrayList<>();
      for (Object msg : out) {
        if (msg instanceof HttpRequest request) {
          requests.add(request);
        }
      }
      // describes and releases
      assertThat(describe(out)).as(raw).isEqualTo(describe(decodeWithNetty(List.of(raw))));
      for (HttpRequest request : requests) {
        ClientCodec.recycle(request);
        ch.writeOutbound(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER));
      }
      for (Object written; (written = ch.readOutbound()) != null; ) {
        ReferenceCountUtil.release(written);
      }
    }
    ch.finishAndReleaseAll();
  }

  /**
   * Every accepted head three times in a row on one connection, each request given back before the
   * next, then each once after a different one: the same as Netty decodes, a head equal to the
   * previous one's bytes (read without a second scan) included, and one that differs only after the
   * previous head's end.
   */
  @Test
  void decodesHeadsThatRepeatTheirPredecessorAsNettysDecoder() {
    List<String> heads = new ArrayList<>();
    for (String raw : ACCEPTED) {
      heads.add(raw);
      heads.add(raw);
      heads.add(raw);
    }
    heads.addAll(ACCEPTED);
    heads.add("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    heads.add("GET / HTTP/1.1\r\nHost: h\r\nX-After: 1\r\n\r\n");
    heads.add("GET / HTTP/1.1\r\nHost: h\r\nX-After: 1\r\n\r\n");
    heads.add("GET / HTTP/1.1\r\nHost: h\r\nX-After: 2\r\n\r\n");
    heads.add("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
    EmbeddedChannel ch = new EmbeddedChannel(new ClientCodec(config(), 16));
    for (String raw : heads) {
      send(ch, raw);
      List<Object> out = drain(ch);
      List<HttpRequest> requests = new ArrayList<>();
      for (Object msg : out) {
        if (msg instanceof HttpRequest request) {
          requests.add(request);
        }
      }
      assertThat(describe(out)).as(raw).isEqualTo(describe(decodeWithNetty(List.of(raw))));
      for (HttpRequest request : requests) {
        ClientCodec.recycle(request);
        ch.writeOutbound(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER));
      }
      for (Object written; (written = ch.readOutbound()) != null; ) {
        ReferenceCountUtil.release(written);
      }
    }
    ch.finishAndReleaseAll();
  }

  @Test
  void decodesPipelinedRequestsOfEveryKindAsNettysDecoder() {
    String all = String.join("", ACCEPTED.subList(0, 21));
    assertSameAsNetty(all);
    for (int cut : new int[] {30, 100, 333, all.length() - 3}) {
      List<String> parts = List.of(all.substring(0, cut), all.substring(cut));
      assertThat(contents(describe(decodeWithCodec(parts))))
          .as("cut at %d", cut)
          .isEqualTo(contents(describe(decodeWithNetty(List.of(all)))));
    }
  }

  @Test
  void reusesTheStringsOfValuesThatRepeatOnAConnection() {
    EmbeddedChannel ch = new EmbeddedChannel(new ClientCodec(config(), 16));
    String raw = ACCEPTED.get(1);
    send(ch, raw);
    HttpRequest first = (HttpRequest) drain(ch).get(0);
    String agent = first.headers().get("User-Agent");
    String uri = first.uri();
    List<Map.Entry<CharSequence, CharSequence>> entries = fields(first);
    ClientCodec.recycle(first);
    send(ch, raw);
    HttpRequest second = (HttpRequest) drain(ch).get(0);
    assertThat(second).isSameAs(first);
    assertThat(second.headers().get("User-Agent")).isSameAs(agent);
    assertThat(second.uri()).isSameAs(uri);
    // the map's entries too: the same names, the same order, the same objects
    List<Map.Entry<CharSequence, CharSequence>> again = fields(second);
    assertThat(again).hasSameSizeAs(entries);
    for (int i = 0; i < again.size(); i++) {
      assertThat(again.get(i)).isSameAs(entries.get(i));
    }
    ClientCodec.recycle(second);
    send(ch, raw.replace("portico-alloc/1", "portico-alloc/2"));
    HttpRequest third = (HttpRequest) drain(ch).get(0);
    assertThat(third.headers().get("User-Agent")).isEqualTo("portico-alloc/2");
    assertThat(third.headers().names()).containsExactly("Host", "User-Agent");
    // an entry kept from a given-back map serves a field of its name only
    ClientCodec.recycle(third);
    send(ch, "GET /x HTTP/1.1\r\nX-New: 1\r\nhost: h\r\nUser-Agent: u\r\n\r\n");
    HttpRequest fourth = (HttpRequest) drain(ch).get(0);
    assertThat(fourth.headers().entries().toString()).isEqualTo("[X-New=1, host=h, User-Agent=u]");
    fourth.headers().set("Host", "set");
    fourth.headers().remove("X-New");
    assertThat(fourth.headers().entries().toString()).isEqualTo("[User-Agent=u, Host=set]");
    ch.finishAndReleaseAll();
  }

  private static void assertSameAsNetty(String raw) {
    assertThat(describe(decodeWithCodec(List.of(raw))))
        .as(raw)
        .isEqualTo(describe(decodeWithNetty(List.of(raw))));
  }

  private static void send(EmbeddedChannel ch, String part) {
    ch.writeInbound(Unpooled.copiedBuffer(part, StandardCharsets.ISO_8859_1));
  }

  private static List<Object> drain(EmbeddedChannel ch) {
    List<Object> out = new ArrayList<>();
    for (Object msg; (msg = ch.readInbound()) != null; ) {
      out.add(msg);
    }
    return out;
  }

  private static List<Object> decodeWithCodec(List<String> parts) {
    EmbeddedChannel ch = new EmbeddedChannel(new ClientCodec(config(), 32));
    return decode(ch, parts);
  }

  private static List<Object> decodeWithNetty(List<String> parts) {
    return decode(new EmbeddedChannel(new HttpRequestDecoder(config())), parts);
  }

  private static List<Object> decode(EmbeddedChannel ch, List<String> parts) {
    for (String part : parts) {
      send(ch, part);
    }
    List<Object> out = drain(ch);
    ch.finishAndReleaseAll();
    return out;
  }

  /** Each message as a line: its kind, result, request line, fields and content; released. */
  private static List<String> describe(List<Object> messages) {
    List<String> lines = new ArrayList<>();
    for (Object msg : messages) {
      StringBuilder line = new StringBuilder();
      if (msg instanceof HttpObject o) {
        line.append(
            o.decoderResult().isSuccess()
                ? "ok"
                : "failure " + o.decoderResult().cause().getClass().getSimpleName());
      }
      if (msg instanceof HttpRequest r && r.decoderResult().isSuccess()) {
        line.append(' ').append(r.method()).append(' ').append(r.uri()).append(' ');
        line.append(r.protocolVersion());
        for (Map.Entry<CharSequence, CharSequence> e : fields(r)) {
          line.append(" [").append(e.getKey()).append("=").append(e.getValue()).append(']');
        }
      }
      if (msg instanceof HttpContent c) {
        line.append(msg instanceof LastHttpContent ? " last " : " content ");
        ByteBuf content = c.content();
        line.append(ByteBufUtil.hexDump(content));
        if (msg instanceof LastHttpContent last) {
          line.append(' ').append(last.trailingHeaders().entries());
        }
      }
      lines.add(line.toString());
      ReferenceCountUtil.release(msg);
    }
    return lines;
  }

  private static List<Map.Entry<CharSequence, CharSequence>> fields(HttpRequest r) {
    List<Map.Entry<CharSequence, CharSequence>> fields = new ArrayList<>();
    r.headers().iteratorCharSequence().forEachRemaining(fields::add);
    return fields;
  }

  /** The content lines only, joined: how a body is cut into contents may differ with the reads. */
  private static String contents(List<String> lines) {
    StringBuilder all = new StringBuilder();
    for (String line : lines) {
      int at = line.indexOf(" content ");
      int last = line.indexOf(" last ");
      if (at >= 0) {
        all.append(line.substring(at + 9));
      } else if (last >= 0) {
        all.append(line.substring(last + 6)).append('|');
      } else {
        all.append('\n').append(line).append('\n');
      }
    }
    return all.toString();
  }
}
