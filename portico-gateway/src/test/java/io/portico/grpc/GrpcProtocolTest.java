package io.portico.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GrpcProtocolTest {

  private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  private static ByteBuf frames(String... messages) {
    ByteBuf out = Unpooled.buffer();
    for (String m : messages) {
      byte[] bytes = m.getBytes(StandardCharsets.UTF_8);
      GrpcFrameReader.writePrefix(out, bytes.length);
      out.writeBytes(bytes);
    }
    return out;
  }

  private static List<String> collect(GrpcFrameReader reader, ByteBuf... chunks) {
    List<String> got = new ArrayList<>();
    for (ByteBuf chunk : chunks) {
      assertThat(
              reader.feed(
                  chunk,
                  (m, compressed) -> {
                    got.add(m.toString(StandardCharsets.UTF_8));
                    m.release();
                  }))
          .isNull();
      chunk.release();
    }
    return got;
  }

  @Test
  void messagesWholeInOneChunkAreSlicedAndSplitOnesGathered() {
    ByteBuf all = frames("hello", "", "world!");
    for (int cut = 0; cut <= all.readableBytes(); cut++) {
      GrpcFrameReader reader = new GrpcFrameReader(ALLOC, 64, false);
      ByteBuf first = all.retainedSlice(0, cut);
      ByteBuf second = all.retainedSlice(cut, all.readableBytes() - cut);
      assertThat(collect(reader, first, second)).containsExactly("hello", "", "world!");
      assertThat(reader.end()).isNull();
    }
    assertThat(all.refCnt()).isEqualTo(1);
    all.release();
  }

  @Test
  void byteByByteFeedingYieldsTheSameMessages() {
    ByteBuf all = frames("a", "bc", "def");
    GrpcFrameReader reader = new GrpcFrameReader(ALLOC, 64, false);
    List<ByteBuf> chunks = new ArrayList<>();
    for (int i = 0; i < all.readableBytes(); i++) {
      chunks.add(all.retainedSlice(i, 1));
    }
    assertThat(collect(reader, chunks.toArray(ByteBuf[]::new))).containsExactly("a", "bc", "def");
    assertThat(reader.messages()).isEqualTo(3);
    assertThat(reader.end()).isNull();
    all.release();
  }

  @Test
  void aLengthOverTheCapIsRefusedFromThePrefixAlone() {
    ByteBuf prefix = Unpooled.buffer();
    GrpcFrameReader.writePrefix(prefix, 1_000_000);
    GrpcFrameReader reader = new GrpcFrameReader(ALLOC, 1024, false);
    GrpcFrameReader.Failure failure = reader.feed(prefix, (m, c) -> m.release());
    assertThat(failure).isNotNull();
    assertThat(failure.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
    assertThat(reader.feed(frames("x"), (m, c) -> m.release())).isEqualTo(failure);
    reader.close();
    prefix.release();
  }

  @Test
  void aCompressedMessageWithoutEncodingAndReservedFlagsAreInternal() {
    ByteBuf compressed = Unpooled.buffer().writeByte(1).writeInt(1).writeByte('x');
    GrpcFrameReader.Failure failure =
        new GrpcFrameReader(ALLOC, 64, false).feed(compressed, (m, c) -> m.release());
    assertThat(failure).isNotNull();
    assertThat(failure.status()).isEqualTo(GrpcStatus.INTERNAL);
    assertThat(failure.message()).contains("grpc-encoding");

    List<Boolean> flags = new ArrayList<>();
    assertThat(
            new GrpcFrameReader(ALLOC, 64, true)
                .feed(
                    compressed.readerIndex(0),
                    (m, c) -> {
                      flags.add(c);
                      m.release();
                    }))
        .isNull();
    assertThat(flags).containsExactly(true);

    ByteBuf reserved = Unpooled.buffer().writeByte(4).writeInt(0);
    GrpcFrameReader.Failure refused =
        new GrpcFrameReader(ALLOC, 64, true).feed(reserved, (m, c) -> m.release());
    assertThat(refused).isNotNull();
    assertThat(refused.status()).isEqualTo(GrpcStatus.INTERNAL);
  }

  @Test
  void aBodyEndingInsideAMessageIsRefusedAndReleased() {
    ByteBuf lying = Unpooled.buffer().writeByte(0).writeInt(10).writeBytes(new byte[4]);
    GrpcFrameReader reader = new GrpcFrameReader(ALLOC, 64, false);
    assertThat(reader.feed(lying, (m, c) -> m.release())).isNull();
    GrpcFrameReader.Failure failure = reader.end();
    assertThat(failure).isNotNull();
    assertThat(failure.status()).isEqualTo(GrpcStatus.INTERNAL);
    assertThat(failure.message()).contains("10 bytes, 4 came");
  }

  @Test
  void skimmingChecksPrefixesSplitAnywhereWithoutHoldingTheBody() {
    ByteBuf body = frames("hello", "", "a longer message than the first");
    try {
      for (int step : new int[] {1, 2, 3, 7, body.readableBytes()}) {
        GrpcFrameReader reader = new GrpcFrameReader(ALLOC, 64, false);
        for (int at = 0; at < body.readableBytes(); at += step) {
          ByteBuf piece = body.slice(at, Math.min(step, body.readableBytes() - at));
          assertThat(reader.skim(piece)).isNull();
          assertThat(piece.readerIndex()).isZero();
        }
        assertThat(reader.end()).isNull();
        assertThat(reader.messages()).isEqualTo(3);
      }
    } finally {
      body.release();
    }
  }

  @Test
  void skimmingRefusesWhatFeedingRefuses() {
    ByteBuf big = Unpooled.buffer();
    GrpcFrameReader.writePrefix(big, 1_000_000);
    GrpcFrameReader.Failure tooLarge = new GrpcFrameReader(ALLOC, 1024, false).skim(big);
    assertThat(tooLarge.status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);

    ByteBuf compressed = Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 1, 9});
    assertThat(new GrpcFrameReader(ALLOC, 64, false).skim(compressed).message())
        .contains("grpc-encoding");
    assertThat(new GrpcFrameReader(ALLOC, 64, true).skim(compressed.resetReaderIndex())).isNull();

    GrpcFrameReader lying = new GrpcFrameReader(ALLOC, 1024, false);
    assertThat(lying.skim(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 100, 1, 2, 3}))).isNull();
    assertThat(lying.end().message()).contains("gave 100 bytes, 3 came");

    GrpcFrameReader cut = new GrpcFrameReader(ALLOC, 1024, false);
    assertThat(cut.skim(Unpooled.wrappedBuffer(new byte[] {0, 0}))).isNull();
    assertThat(cut.end().message()).contains("length prefix");
    big.release();
    compressed.release();
  }

  @Test
  void skimmingTellsWhereTheRefusedMessageBegan() {
    ByteBuf body = frames("ok", "fine");
    int good = body.readableBytes();
    GrpcFrameReader.writePrefix(body, 4096);
    try {
      GrpcFrameReader whole = new GrpcFrameReader(ALLOC, 1024, false);
      assertThat(whole.skim(body).status()).isEqualTo(GrpcStatus.RESOURCE_EXHAUSTED);
      assertThat(whole.refusedAt()).isEqualTo(good);

      GrpcFrameReader split = new GrpcFrameReader(ALLOC, 1024, false);
      assertThat(split.skim(body.slice(0, good + 2))).isNull();
      assertThat(split.skim(body.slice(good + 2, 3))).isNotNull();
      assertThat(split.refusedAt()).isEqualTo(-1);
    } finally {
      body.release();
    }
  }

  @Test
  void timeoutsParseAndFormatWithinEightDigits() {
    assertThat(GrpcTimeout.parseNanos("100m")).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(GrpcTimeout.parseNanos("2H")).isEqualTo(TimeUnit.HOURS.toNanos(2));
    assertThat(GrpcTimeout.parseNanos("99999999n")).isEqualTo(99_999_999L);
    assertThat(GrpcTimeout.parseNanos("123456789S")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("-1S")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("10x")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos("m")).isEqualTo(-1);
    assertThat(GrpcTimeout.parseNanos(null)).isEqualTo(-1);
    assertThat(GrpcTimeout.format(5_000_000L)).isEqualTo("5000000n");
    assertThat(GrpcTimeout.format(TimeUnit.SECONDS.toNanos(30))).isEqualTo("30000000u");
    assertThat(GrpcTimeout.format(TimeUnit.SECONDS.toNanos(3000))).isEqualTo("3000000m");
    assertThat(GrpcTimeout.format(0)).isEqualTo("1n");
    for (long n : new long[] {1, 999, 123_456_789L, TimeUnit.DAYS.toNanos(3)}) {
      assertThat(GrpcTimeout.parseNanos(GrpcTimeout.format(n))).isGreaterThanOrEqualTo(n);
    }
  }

  @Test
  void statusesMapBothWays() {
    assertThat(GrpcStatus.ofHeader("14")).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(GrpcStatus.ofHeader("99")).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(GrpcStatus.ofHeader("x")).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(GrpcStatus.ofHeader(null)).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(GrpcStatus.ofHttpStatus(404)).isEqualTo(GrpcStatus.UNIMPLEMENTED);
    assertThat(GrpcStatus.ofHttpStatus(503)).isEqualTo(GrpcStatus.UNAVAILABLE);
    assertThat(GrpcStatus.ofHttpStatus(418)).isEqualTo(GrpcStatus.UNKNOWN);
    assertThat(GrpcStatus.DEADLINE_EXCEEDED.httpStatus()).isEqualTo(504);
    assertThat(GrpcStatus.RESOURCE_EXHAUSTED.httpStatus()).isEqualTo(429);
    for (GrpcStatus s : GrpcStatus.values()) {
      assertThat(GrpcStatus.ofCode(s.code())).isEqualTo(s);
      assertThat(GrpcStatus.ofHeader(s.codeText())).isEqualTo(s);
    }
  }

  @Test
  void messagesArePercentEncodedAndDecoded() {
    assertThat(GrpcMessage.encode("plain text")).isEqualTo("plain text");
    assertThat(GrpcMessage.encode("100% über\n")).isEqualTo("100%25 %C3%BCber%0A");
    assertThat(GrpcMessage.decode("100%25 %C3%BCber%0A")).isEqualTo("100% über\n");
    assertThat(GrpcMessage.decode("bad %zz and %4")).isEqualTo("bad %zz and %4");
  }

  @Test
  void contentTypesAreToldApart() {
    assertThat(GrpcContentType.of("application/grpc")).isEqualTo(GrpcContentType.GRPC);
    assertThat(GrpcContentType.of("application/grpc+proto")).isEqualTo(GrpcContentType.GRPC);
    assertThat(GrpcContentType.of("Application/GRPC; charset=x")).isEqualTo(GrpcContentType.GRPC);
    assertThat(GrpcContentType.of("application/grpc-web")).isEqualTo(GrpcContentType.GRPC_WEB);
    assertThat(GrpcContentType.of("application/grpc-web+proto"))
        .isEqualTo(GrpcContentType.GRPC_WEB);
    assertThat(GrpcContentType.of("application/grpc-web-text"))
        .isEqualTo(GrpcContentType.GRPC_WEB_TEXT);
    assertThat(GrpcContentType.of("application/grpcx")).isEqualTo(GrpcContentType.NONE);
    assertThat(GrpcContentType.of("application/json")).isEqualTo(GrpcContentType.NONE);
    assertThat(GrpcContentType.of(null)).isEqualTo(GrpcContentType.NONE);
  }
}
