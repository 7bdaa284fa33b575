package io.portico.eventloop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link BurstFlush} between a recorder standing for the codec and the socket (what reaches it, in
 * order) and a handler standing for the streams, which answers every message it reads with a write
 * and a flush. The recorder ends every outbound operation itself: an {@code EmbeddedChannel} runs
 * its pending tasks whenever a write reaches its own transport, which would hide when the handler's
 * task runs.
 */
class BurstFlushTest {

  /** What reached the socket side, in order: "write X", "flush", "close". */
  private final List<String> wire = new ArrayList<>();

  /** The streams that have DATA waiting in the codec. */
  private final Set<Integer> withData = new HashSet<>();

  private final BurstFlush burst = new BurstFlush(stream -> withData.contains(stream.id()));

  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
              wire.add(
                  "write "
                      + (msg instanceof Http2ResetFrame r ? "RST_STREAM " + r.stream().id() : msg));
              promise.setSuccess();
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
              wire.add("flush");
            }

            @Override
            public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
              wire.add("close");
              promise.setSuccess();
            }
          },
          burst,
          new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
              ctx.writeAndFlush(((String) msg).toUpperCase(Locale.ROOT));
            }
          });

  @Test
  void flushesOutsideAReadBecomeOneFlushWhenTheLoopRunsItsTasks() {
    channel.pipeline().writeAndFlush("a");
    channel.pipeline().writeAndFlush("b");

    assertThat(wire).containsExactly("write a", "write b");

    channel.runPendingTasks();

    assertThat(wire).containsExactly("write a", "write b", "flush");
  }

  @Test
  void flushesDuringTheConnectionsReadBecomeOneFlushWhenTheReadCompletes() {
    channel.pipeline().fireChannelRead("x");
    channel.pipeline().fireChannelRead("y");

    assertThat(wire).containsExactly("write X", "write Y");

    channel.pipeline().fireChannelReadComplete();

    assertThat(wire).containsExactly("write X", "write Y", "flush");

    channel.runPendingTasks();

    assertThat(wire).as("the task finds nothing left").hasSize(3);
  }

  @Test
  void aFlushDuringAReadWhoseCompletionNeverComesIsDoneByTheTask() {
    channel.pipeline().fireChannelRead("x");

    channel.runPendingTasks();

    assertThat(wire).containsExactly("write X", "flush");
  }

  @Test
  void aFlushAfterTheTaskRanSchedulesAnother() {
    channel.pipeline().writeAndFlush("a");
    channel.runPendingTasks();
    channel.pipeline().writeAndFlush("b");

    assertThat(wire).containsExactly("write a", "flush", "write b");

    channel.runPendingTasks();

    assertThat(wire).containsExactly("write a", "flush", "write b", "flush");
  }

  @Test
  void nothingRememberedMeansNoFlush() {
    channel.pipeline().write("a");
    channel.pipeline().fireChannelReadComplete();
    channel.runPendingTasks();

    assertThat(wire).containsExactly("write a");
  }

  @Test
  void aResetOfAStreamWithDataWaitingLetsWhatWasRememberedGoFirst() {
    withData.add(3);
    channel.pipeline().writeAndFlush("data");

    channel.pipeline().writeAndFlush(reset(3));

    assertThat(wire).containsExactly("write data", "flush", "write RST_STREAM 3");
    channel.runPendingTasks();
    assertThat(wire).containsExactly("write data", "flush", "write RST_STREAM 3", "flush");
  }

  @Test
  void aResetOfAStreamWithNothingWaitingIsWrittenAsItComes() {
    withData.add(3);
    channel.pipeline().writeAndFlush("data");

    channel.pipeline().writeAndFlush(reset(5));

    assertThat(wire).containsExactly("write data", "write RST_STREAM 5");
    channel.runPendingTasks();
    assertThat(wire).containsExactly("write data", "write RST_STREAM 5", "flush");
  }

  @Test
  void aCloseFlushesWhatWasRememberedFirst() {
    channel.pipeline().writeAndFlush("a");

    channel.pipeline().close();

    assertThat(wire).containsExactly("write a", "flush", "close");
    channel.runPendingTasks();
    assertThat(wire).hasSize(3);
  }

  @Test
  void removingTheHandlerFlushesWhatItHeld() {
    channel.pipeline().writeAndFlush("a");

    channel.pipeline().remove(burst);

    assertThat(wire).containsExactly("write a", "flush");
    channel.runPendingTasks();
    assertThat(wire).hasSize(2);
  }

  private static Http2ResetFrame reset(int id) {
    return new DefaultHttp2ResetFrame(Http2Error.CANCEL)
        .stream(
            new Http2FrameStream() {
              @Override
              public int id() {
                return id;
              }

              @Override
              public Http2Stream.State state() {
                return Http2Stream.State.OPEN;
              }
            });
  }
}
