package io.portico.eventloop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What the gateway's two HTTP/2 frame guards share, the client side's ({@code
 * proxy.Http2FrameGuard}) and the upstream side's ({@code upstream.h2.H2FrameGuard}): a handler
 * right in front of the connection's {@link Http2ConnectionHandler} that reads the 9-byte header of
 * every frame the peer sends (never a payload, never HPACK; the bytes pass on unchanged) and hands
 * it to {@link #onFrame}, with the budgets both sides count frames against:
 *
 * <ul>
 *   <li>{@link #controlFrame}: frames that cost work but carry no request or response (PING and
 *       SETTINGS that are not acknowledgements, PRIORITY, extension frames), at most a number per
 *       window. The codec's limit on queued control frames only trips when the peer stops reading
 *       the acknowledgements; a peer that reads them as fast as it floods would never be stopped.
 *   <li>{@link #tinyData}: DATA frames without END_STREAM whose payload (padding included) is under
 *       {@value #TINY_DATA_BYTES} bytes (CVE-2019-9518, "empty frames flood", and its one-byte
 *       variant): more than {@value #MAX_TINY_DATA_FRAMES} within {@value
 *       #TINY_DATA_WINDOW_SECONDS} seconds.
 *   <li>{@link #windowUpdate}: WINDOW_UPDATE frames beyond what the gateway sends. As Envoy does
 *       ({@code max_inbound_window_update_frames_per_data_frame_sent}), the frames a connection may
 *       receive are counted over its life against {@value #WINDOW_UPDATES_FREE} + 2 × (streams
 *       opened + {@value #WINDOW_UPDATES_PER_DATA_FRAME} × DATA frames written).
 * </ul>
 *
 * <p>A violation is handed to the codec as a connection error (so the codec writes GOAWAY {@code
 * ENHANCE_YOUR_CALM} and closes); the frames before it in the same read are delivered first, and
 * nothing after it is. Confined to the connection's event loop.
 */
public abstract class Http2FrameBudget extends ChannelInboundHandlerAdapter {

  private static final int FRAME_HEADER_LENGTH = 9;

  /**
   * A DATA frame with a payload below this is tiny: less than the 5-byte prefix of a gRPC message,
   * the smallest piece of a body that a gRPC peer sends whole. Padding counts as payload.
   */
  public static final int TINY_DATA_BYTES = 5;

  /**
   * Tiny DATA frames a peer may send per {@link #TINY_DATA_WINDOW_SECONDS}: the default budget of
   * control frames (1000 per 10 s), on its own count; a body typed a key at a time stays far below
   * it.
   */
  public static final int MAX_TINY_DATA_FRAMES = 1000;

  /** The window of {@link #MAX_TINY_DATA_FRAMES}. */
  public static final int TINY_DATA_WINDOW_SECONDS = 10;

  /** WINDOW_UPDATE frames a connection may receive before it sent anything: Envoy's 5. */
  public static final int WINDOW_UPDATES_FREE = 5;

  /**
   * WINDOW_UPDATE frames allowed per DATA frame the gateway wrote (doubled, as a stream window and
   * the connection's are updated apart): Envoy's default of {@code
   * max_inbound_window_update_frames_per_data_frame_sent}.
   */
  public static final int WINDOW_UPDATES_PER_DATA_FRAME = 10;

  protected static final int DATA = 0x0;
  protected static final int HEADERS = 0x1;
  protected static final int PRIORITY = 0x2;
  protected static final int RST_STREAM = 0x3;
  protected static final int SETTINGS = 0x4;
  protected static final int PING = 0x6;
  protected static final int WINDOW_UPDATE = 0x8;
  protected static final int CONTINUATION = 0x9;
  protected static final int END_STREAM = 0x1;
  protected static final int ACK = 0x1;

  private final Http2ConnectionHandler codec;
  private final int maxControlFrames;
  private final long controlWindowNanos;

  private int prefaceLeft;
  private final byte[] header = new byte[FRAME_HEADER_LENGTH];
  private int headerFill;
  private long payloadLeft;

  private long windowStart = System.nanoTime();
  private int controlFrames;
  private long tinyDataWindowStart = windowStart;
  private int tinyDataFrames;
  private long windowUpdates;

  /** PINGs received, for {@link #ping}. */
  private long pings;

  private boolean violated;

  /**
   * @param codec the connection's handler, which ends the connection on a violation
   * @param prefaceLength bytes to skip before the first frame (the client preface's 24, or none)
   * @param maxControlFrames control frames allowed per {@code controlWindowNanos}
   */
  protected Http2FrameBudget(
      Http2ConnectionHandler codec,
      int prefaceLength,
      int maxControlFrames,
      long controlWindowNanos) {
    this.codec = codec;
    this.prefaceLeft = prefaceLength;
    this.maxControlFrames = maxControlFrames;
    this.controlWindowNanos = controlWindowNanos;
  }

  /**
   * Checks a frame whose header was just read; the connection error it breaks, or null. The
   * payload's {@code length} bytes follow unread.
   */
  protected abstract @Nullable Http2Exception onFrame(
      int type, int flags, int streamId, long length);

  /** Whether a violation ended the connection. */
  public final boolean violated() {
    return violated;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (violated) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    int i = in.readerIndex();
    int end = in.writerIndex();
    while (i < end) {
      if (prefaceLeft > 0) {
        int n = Math.min(prefaceLeft, end - i);
        prefaceLeft -= n;
        i += n;
      } else if (payloadLeft > 0) {
        int n = (int) Math.min(payloadLeft, end - i);
        payloadLeft -= n;
        i += n;
      } else {
        int frameStart = headerFill == 0 ? i : in.readerIndex();
        int n = Math.min(FRAME_HEADER_LENGTH - headerFill, end - i);
        in.getBytes(i, header, headerFill, n);
        headerFill += n;
        i += n;
        if (headerFill == FRAME_HEADER_LENGTH) {
          headerFill = 0;
          payloadLeft =
              ((header[0] & 0xffL) << 16) | ((header[1] & 0xffL) << 8) | (header[2] & 0xffL);
          int streamId =
              ((header[5] & 0x7f) << 24)
                  | ((header[6] & 0xff) << 16)
                  | ((header[7] & 0xff) << 8)
                  | (header[8] & 0xff);
          Http2Exception violation =
              onFrame(header[3] & 0xff, header[4] & 0xff, streamId, payloadLeft);
          if (violation != null) {
            refuse(ctx, in, frameStart, violation);
            return;
          }
        }
      }
    }
    ctx.fireChannelRead(in);
  }

  /** Delivers what came before the violating frame, then lets the codec end the connection. */
  private void refuse(ChannelHandlerContext ctx, ByteBuf in, int frameStart, Http2Exception e) {
    violated = true;
    int before = frameStart - in.readerIndex();
    if (before > 0) {
      ctx.fireChannelRead(in.readRetainedSlice(before));
    }
    in.release();
    ChannelHandlerContext codecCtx = ctx.pipeline().context(codec);
    if (codecCtx != null) {
      codec.onError(codecCtx, false, e);
    } else {
      ctx.close();
    }
  }

  /** Counts a tiny DATA frame against {@link #MAX_TINY_DATA_FRAMES} per window. */
  protected final @Nullable Http2Exception tinyData() {
    long now = System.nanoTime();
    if (now - tinyDataWindowStart >= TimeUnit.SECONDS.toNanos(TINY_DATA_WINDOW_SECONDS)) {
      tinyDataWindowStart = now;
      tinyDataFrames = 0;
    }
    if (++tinyDataFrames > MAX_TINY_DATA_FRAMES) {
      return Http2Exception.connectionError(
          Http2Error.ENHANCE_YOUR_CALM,
          "more than %d DATA frames of fewer than %d bytes within %d s",
          MAX_TINY_DATA_FRAMES,
          TINY_DATA_BYTES,
          TINY_DATA_WINDOW_SECONDS);
    }
    return null;
  }

  /**
   * Counts a WINDOW_UPDATE frame against what the connection sent: {@code streamsOpened} streams
   * and {@code dataFramesSent} DATA frames.
   */
  protected final @Nullable Http2Exception windowUpdate(long streamsOpened, long dataFramesSent) {
    long allowed =
        WINDOW_UPDATES_FREE + 2 * (streamsOpened + WINDOW_UPDATES_PER_DATA_FRAME * dataFramesSent);
    if (++windowUpdates > allowed) {
      return Http2Exception.connectionError(
          Http2Error.ENHANCE_YOUR_CALM,
          "%d WINDOW_UPDATE frames for %d streams and %d DATA frames sent",
          windowUpdates,
          streamsOpened,
          dataFramesSent);
    }
    return null;
  }

  /**
   * Counts a PING (not an acknowledgement): free while the peer sent no more of them than the DATA
   * frames it was sent ({@code dataFramesSent}), as a peer reading a large body measures the
   * connection's bandwidth with a PING per DATA frame read at most (grpc-java's and grpc-go's BDP
   * pings); beyond that, a control frame.
   */
  protected final @Nullable Http2Exception ping(long dataFramesSent) {
    return ++pings <= dataFramesSent ? null : controlFrame();
  }

  /** Counts a PING, SETTINGS, PRIORITY or extension frame against the control-frame budget. */
  protected final @Nullable Http2Exception controlFrame() {
    long now = System.nanoTime();
    if (now - windowStart >= controlWindowNanos) {
      windowStart = now;
      controlFrames = 0;
    }
    if (++controlFrames > maxControlFrames) {
      return Http2Exception.connectionError(
          Http2Error.ENHANCE_YOUR_CALM,
          "more than %d PING, SETTINGS, PRIORITY or extension frames within %d ms",
          maxControlFrames,
          controlWindowNanos / 1_000_000);
    }
    return null;
  }
}
