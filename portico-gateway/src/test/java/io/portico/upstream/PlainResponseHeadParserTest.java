package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The upstream codec's own reading of plain response heads beside Netty's decoder: for ordinary,
 * odd-but-legal and refused heads, heads cut anywhere, responses to {@code HEAD}, bytes after a
 * response and a connection closed early, what comes out (and what is left unread) is what Netty's
 * {@code HttpResponseDecoder} makes of the same bytes; a response given back never keeps anything
 * of an earlier one; values that repeat on a connection are the same strings.
 */
class PlainResponseHeadParserTest {

  private static HttpDecoderConfig config() {
    return new HttpDecoderConfig()
        .setMaxInitialLineLength(256)
        .setMaxHeaderSize(512)
        .setMaxChunkSize(16)
        .setValidateHeaders(true)
        .setAllowDuplicateContentLengths(false);
  }

  private static final String LONG = "v".repeat(600);

  private static final String HELLO =
      "HTTP/1.1 200 OK\r\nServer: origin/1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
          + "Date: Mon, 07 Dec 2026 18:00:00 GMT\r\n\r\nhello";

  /** Responses, ordinary and odd; Netty accepts most, some it takes as other than they look. */
  static final List<String> RESPONSES =
      List.of(
          HELLO,
          "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnop",
          "HTTP/1.1 299 Mostly Fine\r\nContent-Length: 2\r\n\r\nok",
          "HTTP/1.1 201 OK\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK  \r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200  OK\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 Not  So\tOK\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 204 No Content\r\n\r\n",
          "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n",
          "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\nETag: \"x\"\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Spaces:   \r\nX-Tab:\tv\t\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-Inner: a  b\tc\r\nX-Sym: !#$%&'*+-.^_`|~\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length:  3 \r\n\r\nabc",
          "HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n1234567",
          "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + "b".repeat(40),
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
          "HTTP/1.1 200 OK\r\nServer: s\r\n\r\nread to the end",
          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nxyz",
          "HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nServer : s\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\nContent-Length: 0\r\n\r\n",
          "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 O\u00e9K\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 600 Odd\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\n"
              + "Content-Length: 0\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");

  /** Heads that Netty's decoder refuses (its result is a failure). */
  static final List<String> REFUSED =
      List.of(
          "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 abc OK\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX\u0001A: b\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
          "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc",
          "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-Big: " + LONG + "\r\n\r\n",
          "HTTP/1.1 200 " + LONG + "\r\nContent-Length: 0\r\n\r\n");

  @Test
  void decodesEveryResponseAsNettysDecoder() {
    for (String raw : RESPONSES) {
      assertSameAsNetty(List.of(raw), List.of());
    }
    String all = String.join("", RESPONSES.subList(0, 20));
    assertSameAsNetty(List.of(all), List.of());
  }

  @Test
  void refusesEveryHeadNettysDecoderRefuses() {
    for (String raw : REFUSED) {
      Decoded netty = decodeWithNetty(List.of(raw), List.of());
      assertThat(netty.lines).as(raw).anyMatch(line -> line.contains("failure"));
      assertSameAsNetty(List.of(raw), List.of());
    }
  }

  /**
   * A version other than {@code HTTP/1.1} or {@code HTTP/1.0} is refused, where Netty's decoder
   * would take it.
   */
  @Test
  void refusesEveryVersionButHttp11And10() {
    for (String version : List.of("HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/9.9")) {
      String raw = version + " 200 OK\r\nContent-Length: 0\r\n\r\n";
      assertThat(decodeWithNetty(List.of(raw), List.of()).lines)
          .as(raw)
          .noneMatch(line -> line.contains("failure"));
      assertThat(decodeWithCodec(List.of(raw), List.of()).lines)
          .as(raw)
          .anyMatch(line -> line.contains("failure"));
    }
  }

  /** Cut at every byte, responses and their bodies decode to the same as when sent whole. */
  @Test
  void decodesResponsesCutAnywhereAsNettysDecoder() {
    String pipelined = RESPONSES.get(RESPONSES.size() - 1);
    for (String raw : List.of(HELLO, RESPONSES.get(18), pipelined, RESPONSES.get(33))) {
      Decoded whole = decodeWithNetty(List.of(raw), List.of());
      for (int cut = 1; cut < raw.length(); cut++) {
        List<String> parts = List.of(raw.substring(0, cut), raw.substring(cut));
        Decoded ours = decodeWithCodec(parts, List.of());
        assertThat(contents(ours.lines))
            .as("cut at %d of %s", cut, raw)
            .isEqualTo(contents(whole.lines));
        assertThat(ours.unread).as("cut at %d of %s", cut, raw).isEqualTo(whole.unread);
      }
    }
  }

  @Test
  void aResponseToHeadHasNoBodyWhateverItsFramingSays() {
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: s\r\n\r\n";
    String get = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    List<HttpMethod> methods = List.of(HttpMethod.HEAD, HttpMethod.GET, HttpMethod.HEAD);
    assertSameAsNetty(List.of(head + get + head), methods);
    assertSameAsNetty(List.of(head + "hello" + get), methods);
    assertSameAsNetty(
        List.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + get), methods);
    assertSameAsNetty(List.of("HTTP/1.1 200 OK\r\n\r\n" + get), methods);
    assertSameAsNetty(List.of("HTTP/1.1 100 Continue\r\n\r\n" + head + get + head), methods);
  }

  @Test
  void aConnectionClosedBeforeTheEndDecodesAsWithNettysDecoder() {
    for (String raw :
        List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 1",
            "HTTP/1.1 200 OK\r\n\r\nto the end")) {
      assertSameAsNetty(List.of(raw), List.of());
    }
  }

  /** Heads larger than the array the parser keeps, between smaller ones, as Netty decodes them. */
  @Test
  void decodesHeadsLargerThanTheKeptArrayAsNettysDecoder() {
    HttpDecoderConfig large = config().setMaxHeaderSize(16384);
    String big = "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(6000) + "\r\nContent-Length: 0\r\n\r\n";
    String mid = "HTTP/1.1 200 OK\r\nX-Mid: " + "m".repeat(3000) + "\r\nContent-Length: 0\r\n\r\n";
    String all = HELLO + big + mid + big + HELLO + mid;
    EmbeddedChannel ours = new EmbeddedChannel(new UpstreamCodec(large));
    EmbeddedChannel netty = new EmbeddedChannel(new Reference(large, List.of()));
    assertThat(decode(ours, List.of(all)).lines).isEqualTo(decode(netty, List.of(all)).lines);
  }

  /** One connection for many responses, each given back: the same as Netty's decoder makes. */
  @Test
  void neverLeavesAnEarlierResponsesFieldsInAResponseGivenBack() {
    EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(config()));
    EmbeddedChannel netty = new EmbeddedChannel(new Reference(config(), List.of()));
    List<String> responses = new ArrayList<>(RESPONSES);
    responses.addAll(RESPONSES);
    for (String raw : responses) {
      send(ch, raw);
      send(netty, raw);
      List<Object> out = drain(ch);
      List<HttpResponse> decoded = new ArrayList<>();
      for (Object msg : out) {
        if (msg instanceof HttpResponse response) {
          decoded.add(response);
        }
      }
      assertThat(describe(out)).as(raw).isEqualTo(describe(drain(netty)));
      decoded.forEach(UpstreamCodec::recycle);
      int unread = ch.pipeline().get(UpstreamCodec.class).unreadBytes();
      assertThat(unread).as(raw).isEqualTo(netty.pipeline().get(Reference.class).unread());
      if (unread > 0 || raw.contains("Switching") || raw.contains("read to the end")) {
        ch.finishAndReleaseAll();
        netty.finishAndReleaseAll();
        ch = new EmbeddedChannel(new UpstreamCodec(config()));
        netty = new EmbeddedChannel(new Reference(config(), List.of()));
      }
    }
    ch.finishAndReleaseAll();
    netty.finishAndReleaseAll();
  }

  @Test
  void reusesTheObjectsOfWhatRepeatsOnAConnection() {
    EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(config()));
    String raw =
        "HTTP/1.1 299 Mostly Fine\r\nServer: origin/1\r\nX-Odd-Name: v\r\nContent-Length: 0\r\n\r\n";
    send(ch, raw);
    HttpResponse first = (HttpResponse) drain(ch).get(0);
    String server = first.headers().get("Server");
    HttpResponseStatus status = first.status();
    CharSequence oddName = fields(first).get(1).getKey();
    List<Map.Entry<CharSequence, CharSequence>> entries = fields(first);
    UpstreamCodec.recycle(first);
    send(ch, raw);
    List<Object> out = drain(ch);
    HttpResponse second = (HttpResponse) out.get(0);
    assertThat(second).isSameAs(first);
    assertThat(second.headers().get("Server")).isSameAs(server);
    assertThat(second.status()).isSameAs(status);
    assertThat(fields(second).get(1).getKey()).isSameAs(oddName);
    // the map's entries too: the same names, the same order, the same objects
    List<Map.Entry<CharSequence, CharSequence>> again = fields(second);
    assertThat(again).hasSameSizeAs(entries);
    for (int i = 0; i < again.size(); i++) {
      assertThat(again.get(i)).isSameAs(entries.get(i));
    }
    assertThat(out.get(1)).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    UpstreamCodec.recycle(second);
    send(ch, raw.replace("origin/1", "origin/2"));
    HttpResponse third = (HttpResponse) drain(ch).get(0);
    assertThat(third.headers().get("Server")).isEqualTo("origin/2");
    assertThat(third.headers().names()).containsExactly("Server", "X-Odd-Name", "Content-Length");
    // an entry kept from a given-back map serves a field of its name only
    UpstreamCodec.recycle(third);
    send(ch, "HTTP/1.1 200 OK\r\nX-New: 1\r\nserver: s\r\nContent-Length: 0\r\n\r\n");
    HttpResponse fourth = (HttpResponse) drain(ch).get(0);
    assertThat(fourth.headers().entries().toString())
        .isEqualTo("[X-New=1, server=s, Content-Length=0]");
    fourth.headers().set("Server", "set");
    fourth.headers().remove("X-New");
    assertThat(fourth.headers().entries().toString()).isEqualTo("[Content-Length=0, Server=set]");
    ch.finishAndReleaseAll();
  }

  private static void assertSameAsNetty(List<String> parts, List<HttpMethod> methods) {
    Decoded ours = decodeWithCodec(parts, methods);
    Decoded netty = decodeWithNetty(parts, methods);
    assertThat(ours.lines).as("%s", parts).isEqualTo(netty.lines);
    assertThat(ours.unread).as("unread after %s", parts).isEqualTo(netty.unread);
    assertThat(ours.afterClose).as("after close of %s", parts).isEqualTo(netty.afterClose);
  }

  /** What a decoder made of some bytes, what it left unread, and what it made at the close. */
  private record Decoded(List<String> lines, int unread, List<String> afterClose) {}

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

  private static Decoded decodeWithCodec(List<String> parts, List<HttpMethod> methods) {
    EmbeddedChannel ch = new EmbeddedChannel(new UpstreamCodec(config()));
    for (HttpMethod method : methods) {
      ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
    }
    for (Object written; (written = ch.readOutbound()) != null; ) {
      ReferenceCountUtil.release(written);
    }
    return decode(ch, parts);
  }

  private static Decoded decodeWithNetty(List<String> parts, List<HttpMethod> methods) {
    return decode(new EmbeddedChannel(new Reference(config(), methods)), parts);
  }

  private static Decoded decode(EmbeddedChannel ch, List<String> parts) {
    for (String part : parts) {
      send(ch, part);
    }
    List<String> lines = describe(drain(ch));
    UpstreamCodec codec = ch.pipeline().get(UpstreamCodec.class);
    int unread = codec != null ? codec.unreadBytes() : ch.pipeline().get(Reference.class).unread();
    ch.finish();
    List<String> afterClose = describe(drain(ch));
    ch.finishAndReleaseAll();
    return new Decoded(lines, unread, afterClose);
  }

  /**
   * Netty's response decoder as the upstream codec used it before reading plain heads itself: the
   * responses to {@code HEAD} have no body, and a fixed-length body ends in {@link
   * DeferredTrailers}.
   */
  private static final class Reference extends HttpResponseDecoder {
    private final ArrayDeque<HttpMethod> methods;

    Reference(HttpDecoderConfig config, List<HttpMethod> methods) {
      super(config.clone().setTrailersFactory(DeferredTrailers.FACTORY));
      this.methods = new ArrayDeque<>(methods);
    }

    int unread() {
      return actualReadableBytes();
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg);
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }

  /** Each message as a line: its kind, result, status line, fields and content; released. */
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
      if (msg instanceof HttpResponse r && r.decoderResult().isSuccess()) {
        HttpResponseStatus status = r.status();
        line.append(' ').append(r.protocolVersion()).append(' ').append(status.code());
        line.append(" [").append(status.reasonPhrase()).append(']');
        if (status == HttpResponseStatus.valueOf(status.code())) {
          line.append(" constant");
        }
        for (Map.Entry<CharSequence, CharSequence> e : fields(r)) {
          line.append(" [").append(e.getKey()).append('=').append(e.getValue());
          line.append(' ').append(e.getKey().getClass().getSimpleName());
          line.append('/').append(e.getValue().getClass().getSimpleName()).append(']');
        }
      }
      if (msg instanceof HttpContent c) {
        line.append(msg instanceof LastHttpContent ? " last " : " content ");
        line.append(ByteBufUtil.hexDump(c.content()));
        if (msg instanceof LastHttpContent last) {
          line.append(' ').append(last.trailingHeaders().entries());
          line.append(' ').append(last.trailingHeaders().getClass().getSimpleName());
        }
      }
      if (msg instanceof ByteBuf raw) {
        line.append("bytes ").append(ByteBufUtil.hexDump(raw));
      }
      lines.add(line.toString());
      ReferenceCountUtil.release(msg);
    }
    return lines;
  }

  private static List<Map.Entry<CharSequence, CharSequence>> fields(HttpResponse r) {
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
