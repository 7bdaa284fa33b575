package io.portico.eventloop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  private final BurstFlush burst = new BurstFlush();

  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
              wire.add("write " + msg);
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
}
