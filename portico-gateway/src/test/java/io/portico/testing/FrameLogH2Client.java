package io.portico.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client over clear text with prior knowledge, built on Netty's {@link
 * Http2ConnectionHandler} (its HPACK, stream states and flow control both ways), that records every
 * frame the server sends, in order, with its flags: for tests about which frames the gateway sends,
 * not only what a response holds. Received DATA is consumed (its window returned) at once.
 */
public final class FrameLogH2Client implements AutoCloseable {

  /** Frame types as HTTP/2 numbers them. */
  public static final int DATA = 0x0;

  public static final int HEADERS = 0x1;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;

  /**
   * One frame from the server. {@code value}: a DATA frame's length, a RST_STREAM's or GOAWAY's
   * error code, a WINDOW_UPDATE's increment, a HEADERS frame's {@code :status} (0 for trailers).
   */
  public record Frame(int type, int streamId, boolean endStream, long value) {}

  private final EventLoopGroup group;
  private final Channel channel;
  private final Http2ConnectionHandler handler;
  private final List<Frame> frames = new CopyOnWriteArrayList<>();
  private final List<Http2Settings> settings = new CopyOnWriteArrayList<>();

  private FrameLogH2Client(InetSocketAddress address) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    handler =
        new Http2ConnectionHandlerBuilder()
            .server(false)
            .frameListener(new Recorder())
            .encoderIgnoreMaxHeaderListSize(true)
            .build();
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(handler);
                  }
                })
            .connect(address)
            .sync()
            .channel();
  }

  /** Connects with prior knowledge of HTTP/2. */
  public static FrameLogH2Client connect(InetSocketAddress address) throws InterruptedException {
    return new FrameLogH2Client(address);
  }

  /** A request head: {@code method} of {@code path} on {@code authority}. */
  public static Http2Headers head(String method, String path, String authority) {
    return new DefaultHttp2Headers().method(method).scheme("http").path(path).authority(authority);
  }

  /** Sends HEADERS opening {@code streamId}, ending it when {@code endStream}. */
  public void headers(int streamId, Http2Headers headers, boolean endStream) throws Exception {
    run(
        ctx ->
            handler.encoder().writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise()));
  }

  /**
   * Sends {@code bytes} as DATA on {@code streamId} (flow-controlled), ending it when {@code end}.
   */
  public void data(int streamId, byte[] bytes, boolean end) throws Exception {
    run(
        ctx ->
            handler
                .encoder()
                .writeData(ctx, streamId, Unpooled.wrappedBuffer(bytes), 0, end, ctx.newPromise()));
  }

  /** Every frame the server sent so far, in order. */
  public List<Frame> frames() {
    return List.copyOf(frames);
  }

  /** The frames the server sent on {@code streamId} so far, in order. */
  public List<Frame> frames(int streamId) {
    return frames.stream().filter(f -> f.streamId() == streamId).toList();
  }

  /** The server's SETTINGS frames so far (not acknowledgements). */
  public List<Http2Settings> settings() {
    return List.copyOf(settings);
  }

  /** Whether the server's side of {@code streamId} ended: END_STREAM or RST_STREAM received. */
  public boolean ended(int streamId) {
    return frames(streamId).stream().anyMatch(f -> f.endStream() || f.type() == RST_STREAM);
  }

  private interface Action {
    void run(ChannelHandlerContext ctx) throws Exception;
  }

  private void run(Action action) throws Exception {
    ChannelHandlerContext ctx = channel.pipeline().context(handler);
    channel
        .eventLoop()
        .submit(
            () -> {
              action.run(ctx);
              // Through the handler's own flush: it writes what flow control let out.
              channel.flush();
              return null;
            })
        .get(5, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private final class Recorder extends Http2FrameAdapter {

    @Override
    public int onDataRead(
        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
      frames.add(new Frame(DATA, streamId, end, data.readableBytes()));
      return data.readableBytes() + padding;
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end) {
      CharSequence status = headers.status();
      frames.add(
          new Frame(
              HEADERS, streamId, end, status == null ? 0 : Long.parseLong(status.toString())));
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int streamDependency,
        short weight,
        boolean exclusive,
        int padding,
        boolean end) {
      onHeadersRead(ctx, streamId, headers, padding, end);
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      frames.add(new Frame(RST_STREAM, streamId, false, errorCode));
    }

    @Override
    public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings s) {
      settings.add(s);
      frames.add(new Frame(SETTINGS, 0, false, 0));
    }

    @Override
    public void onGoAwayRead(
        ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
      frames.add(new Frame(GOAWAY, 0, false, errorCode));
    }

    @Override
    public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int increment) {
      frames.add(new Frame(WINDOW_UPDATE, streamId, false, increment));
    }
  }

  /** The name of an error code, for assertion messages. */
  public static String errorName(long code) {
    Http2Error e = Http2Error.valueOf(code);
    return e == null ? Long.toString(code) : e.name();
  }
}
