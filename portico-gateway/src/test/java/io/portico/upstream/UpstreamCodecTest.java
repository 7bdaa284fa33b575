package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The upstream codec's response decoder: shared words where the bytes match, as sent otherwise. */
class UpstreamCodecTest {

  private final EmbeddedChannel channel =
      new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private HttpResponse decode(String head) {
    channel.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
    HttpResponse response = channel.readInbound();
    assertThat(response.decoderResult().isSuccess()).as(head).isTrue();
    Object rest;
    while ((rest = channel.readInbound()) != null) {
      ReferenceCountUtil.release(rest);
    }
    return response;
  }

  private static List<CharSequence> names(HttpResponse response) {
    List<CharSequence> names = new ArrayList<>();
    Iterator<Map.Entry<CharSequence, CharSequence>> it = response.headers().iteratorCharSequence();
    while (it.hasNext()) {
      names.add(it.next().getKey());
    }
    return names;
  }

  @Test
  void decodesAStandardStatusLineToNettysConstants() {
    HttpResponse ok = decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(ok.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
    assertThat(ok.status()).isSameAs(HttpResponseStatus.OK);

    HttpResponse notFound = decode("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    assertThat(notFound.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
    assertThat(notFound.status()).isSameAs(HttpResponseStatus.NOT_FOUND);
  }

  @Test
  void keepsAnUnusualReasonPhraseOrCodeAsSent() {
    HttpResponse fine = decode("HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n");
    assertThat(fine.status().code()).isEqualTo(200);
    assertThat(fine.status().reasonPhrase()).isEqualTo("Fine");

    // "OK" is 200's phrase, not 201's: the phrase follows the code it came with.
    HttpResponse created = decode("HTTP/1.1 201 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(created.status().code()).isEqualTo(201);
    assertThat(created.status().reasonPhrase()).isEqualTo("OK");

    HttpResponse custom = decode("HTTP/1.1 299 Mostly Fine\r\nContent-Length: 0\r\n\r\n");
    assertThat(custom.status().code()).isEqualTo(299);
    assertThat(custom.status().reasonPhrase()).isEqualTo("Mostly Fine");

    HttpResponse noPhrase = decode("HTTP/1.1 204 \r\n\r\n");
    assertThat(noPhrase.status().code()).isEqualTo(204);
    assertThat(noPhrase.status().reasonPhrase()).isEmpty();
  }

  @Test
  void sharesCommonHeaderNamesOnlyWhenTheirBytesMatchExactly() {
    HttpResponse r =
        decode(
            "HTTP/1.1 200 OK\r\nServer: s\r\ncontent-type: text/plain\r\nCONTENT-LENGTH: 2\r\n"
                + "X-Custom: c\r\nDatE: d\r\n\r\nhi");
    List<CharSequence> names = names(r);
    assertThat(names)
        .extracting(CharSequence::toString)
        .containsExactly("Server", "content-type", "CONTENT-LENGTH", "X-Custom", "DatE");
    byte[] server = "Server".getBytes(StandardCharsets.US_ASCII);
    byte[] lower = "content-type".getBytes(StandardCharsets.US_ASCII);
    assertThat((Object) names.get(0))
        .isSameAs(SharedResponseWords.headerName(server, 0, server.length));
    assertThat((Object) names.get(1))
        .isSameAs(SharedResponseWords.headerName(lower, 0, lower.length));
    byte[] upper = "CONTENT-LENGTH".getBytes(StandardCharsets.US_ASCII);
    assertThat((Object) SharedResponseWords.headerName(upper, 0, upper.length)).isNull();
    assertThat(r.headers().get("content-length")).isEqualTo("2");
    assertThat(r.headers().get("Date")).isEqualTo("d");
  }

  @Test
  void stillRejectsAMalformedStatusLine() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));
    HttpResponse response = channel.readInbound();
    assertThat(response.decoderResult().isFailure()).isTrue();
  }

  @Test
  void decodesTheBodyAfterASharedHead() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", StandardCharsets.US_ASCII));
    HttpResponse head = channel.readInbound();
    assertThat(head.status()).isSameAs(HttpResponseStatus.OK);
    LastHttpContent body = channel.readInbound();
    try {
      assertThat(body.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
    } finally {
      body.release();
    }
  }

  @Test
  void endsAFixedLengthResponseWithEmptyTrailersThatStillTakeWrites() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", StandardCharsets.US_ASCII));
    HttpResponse head = channel.readInbound();
    assertThat(head.decoderResult().isSuccess()).isTrue();
    LastHttpContent end = channel.readInbound();
    try {
      assertThat(end.trailingHeaders()).isInstanceOf(DeferredTrailers.class);
      assertThat(end.trailingHeaders().isEmpty()).isTrue();
      end.trailingHeaders().set("x-added", "1");
      assertThat(end.trailingHeaders().get("x-added")).isEqualTo("1");
    } finally {
      end.release();
    }
  }

  @Test
  void decodesTheTrailersOfAChunkedResponse() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
                + "0\r\nX-Checksum: abc\r\nx-other: 1\r\n\r\n",
            StandardCharsets.US_ASCII));
    HttpResponse head = channel.readInbound();
    assertThat(head.decoderResult().isSuccess()).isTrue();
    Object chunk = channel.readInbound();
    ReferenceCountUtil.release(chunk);
    LastHttpContent end = channel.readInbound();
    try {
      assertThat(end.decoderResult().isSuccess()).isTrue();
      assertThat(end.trailingHeaders().size()).isEqualTo(2);
      assertThat(end.trailingHeaders().get("x-checksum")).isEqualTo("abc");
      assertThat(end.trailingHeaders().get("X-Other")).isEqualTo("1");
    } finally {
      end.release();
    }
  }

  @Test
  void refusesATrailerFieldWithAnInvalidName() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX(y): 1\r\n\r\n",
            StandardCharsets.US_ASCII));
    HttpResponse head = channel.readInbound();
    assertThat(head.decoderResult().isSuccess()).isTrue();
    ReferenceCountUtil.release(channel.readInbound());
    LastHttpContent end = channel.readInbound();
    try {
      assertThat(end.decoderResult().isFailure()).isTrue();
    } finally {
      end.release();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"zz\r\nok\r\n0\r\n\r\n", "0\r\nX(y): 1\r\n\r\n", "0\r\nNo colon\r\n\r\n"})
  void aBodyWhoseFramingBreaksBeforeItsFirstByteFailsItsHead(String body) {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
            StandardCharsets.US_ASCII));
    HttpResponse head = channel.readInbound();
    assertThat(head.decoderResult().isFailure()).isTrue();
    Object next = channel.readInbound();
    assertThat(next).isNull();
  }

  @Test
  void aChunkedHeadWhoseBodyIsStillToComeIsDecodedAlone() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r", StandardCharsets.US_ASCII));
    HttpResponse head = channel.readInbound();
    assertThat(head.decoderResult().isSuccess()).isTrue();
    Object next = channel.readInbound();
    assertThat(next).isNull();
    channel.writeInbound(Unpooled.copiedBuffer("\nhello\r\n0\r\n\r\n", StandardCharsets.US_ASCII));
    StringBuilder body = new StringBuilder();
    for (HttpContent chunk; ; ) {
      chunk = channel.readInbound();
      try {
        assertThat(chunk.decoderResult().isSuccess()).isTrue();
        body.append(chunk.content().toString(StandardCharsets.US_ASCII));
      } finally {
        chunk.release();
      }
      if (chunk instanceof LastHttpContent) {
        break;
      }
    }
    assertThat(body).hasToString("hello");
  }

  @Test
  void aPlainBodyEndsInTheGivenBackResponsesOwnEndAgain() {
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", StandardCharsets.US_ASCII));
    HttpResponse first = channel.readInbound();
    LastHttpContent firstEnd = channel.readInbound();
    assertThat(firstEnd.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
    firstEnd.trailingHeaders().set("x-added", "1");
    firstEnd.release();
    UpstreamCodec.recycle(first);

    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nworld", StandardCharsets.US_ASCII));
    HttpResponse second = channel.readInbound();
    LastHttpContent secondEnd = channel.readInbound();
    assertThat(second).isSameAs(first);
    assertThat(secondEnd).isSameAs(firstEnd);
    assertThat(secondEnd.content().toString(StandardCharsets.US_ASCII)).isEqualTo("world");
    assertThat(secondEnd.refCnt()).isEqualTo(1);
    assertThat(secondEnd.trailingHeaders().isEmpty()).isTrue();
    assertThat(secondEnd.decoderResult().isSuccess()).isTrue();
    secondEnd.release();
    assertThat(secondEnd.refCnt()).isZero();

    // not given back: the next body ends in an end of its own
    channel.writeInbound(
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", StandardCharsets.US_ASCII));
    HttpResponse third = channel.readInbound();
    LastHttpContent thirdEnd = channel.readInbound();
    try {
      assertThat(third).isNotSameAs(second);
      assertThat(thirdEnd).isNotSameAs(secondEnd);
      assertThat(thirdEnd.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
    } finally {
      thirdEnd.release();
    }
  }

  @Test
  void aSmallBodyIsCopiedOutOfTheReceiveBufferAndALargeOneSliced() {
    ByteBuf small =
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", StandardCharsets.US_ASCII);
    small.retain();
    channel.writeInbound(small);
    ReferenceCountUtil.release(channel.readInbound());
    LastHttpContent smallEnd = channel.readInbound();
    try {
      assertThat(small.refCnt()).as("only the test holds the receive buffer").isEqualTo(1);
      assertThat(smallEnd.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
    } finally {
      smallEnd.release();
      small.release();
    }

    String body = "x".repeat(UpstreamCodec.Decoder.COPIED_BODY + 1);
    ByteBuf large =
        Unpooled.copiedBuffer(
            "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body,
            StandardCharsets.US_ASCII);
    large.retain();
    channel.writeInbound(large);
    ReferenceCountUtil.release(channel.readInbound());
    LastHttpContent largeEnd = channel.readInbound();
    try {
      assertThat(large.refCnt()).as("the body is a slice of the receive buffer").isEqualTo(2);
      assertThat(largeEnd.content().toString(StandardCharsets.US_ASCII)).isEqualTo(body);
    } finally {
      largeEnd.release();
      large.release();
    }
    assertThat(large.refCnt()).isZero();
  }

  @Test
  void aResponseGivenBackIsTheNextOneEmptiedAndSetAgain() {
    HttpResponse first = decode("HTTP/1.1 200 OK\r\nX-Only-First: 1\r\nContent-Length: 0\r\n\r\n");
    UpstreamCodec.recycle(first);
    HttpResponse second =
        decode("HTTP/1.0 299 Quite Fine\r\nx-second: 2\r\nContent-Length: 0\r\n\r\n");
    assertThat(second).isSameAs(first);
    assertThat(second.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
    assertThat(second.status().code()).isEqualTo(299);
    assertThat(second.status().reasonPhrase()).isEqualTo("Quite Fine");
    assertThat(names(second))
        .extracting(CharSequence::toString)
        .containsExactly("x-second", "Content-Length");
    assertThat(second.decoderResult().isSuccess()).isTrue();
    // not given back: the next response is a new one
    HttpResponse third = decode("HTTP/1.1 204 No Content\r\n\r\n");
    assertThat(third).isNotSameAs(second);
    assertThat(names(third)).isEmpty();
  }

  @Test
  void aResponseNoUpstreamCodecMadeIsNotTakenBack() {
    HttpResponse foreign = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    foreign.headers().set("X-Foreign", "1");
    UpstreamCodec.recycle(foreign);
    HttpResponse decoded = decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(decoded).isNotSameAs(foreign);
    assertThat(decoded.headers().contains("X-Foreign")).isFalse();
    assertThat(foreign.headers().get("X-Foreign")).isEqualTo("1");
  }

  @Test
  void aMalformedStatusLineLeavesTheSpareForTheNextResponse() {
    HttpResponse first = decode("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    UpstreamCodec.recycle(first);
    EmbeddedChannel other = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()));
    try {
      other.writeInbound(
          Unpooled.copiedBuffer("HTTP/1.1 abc OK\r\n\r\n", StandardCharsets.US_ASCII));
      HttpResponse bad = other.readInbound();
      assertThat(bad.decoderResult().isFailure()).isTrue();
      assertThat(bad).isNotSameAs(first);
    } finally {
      other.finishAndReleaseAll();
    }
    channel.writeInbound(
        Unpooled.copiedBuffer("HTTP/1.1 abc OK\r\n\r\n", StandardCharsets.US_ASCII));
    HttpResponse bad = channel.readInbound();
    assertThat(bad.decoderResult().isFailure()).isTrue();
    assertThat(bad).isNotSameAs(first);
  }
}
