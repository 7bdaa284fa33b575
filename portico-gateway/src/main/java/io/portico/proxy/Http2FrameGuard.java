package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.portico.config.LimitsConfig;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Sits right in front of the {@link Http2ClientConnection} and reads the 9-byte header of every
 * frame a client sends (never a payload, never HPACK; the bytes pass on unchanged), to enforce the
 * rules the codec leaves open:
 *
 * <ul>
 *   <li><b>Frames that cost work but carry no request.</b> PING and SETTINGS (not their
 *       acknowledgements), PRIORITY and frames of extension types are counted per {@code
 *       http2-control-frame-window}; past {@code http2-max-control-frames-per-window} the
 *       connection ends with GOAWAY {@code ENHANCE_YOUR_CALM}. The codec's limit on queued control
 *       frames only trips when the client stops reading; a client that reads its PING and SETTINGS
 *       acknowledgements as fast as it floods would otherwise never be stopped. (RST_STREAM, empty
 *       DATA in a row and small CONTINUATION frames have their own limits in the codec.)
 *   <li><b>DATA that carries next to nothing</b> (CVE-2019-9518, "empty frames flood", and its
 *       one-byte variant). Flow control bounds the bytes of a body, not the frames that carry them:
 *       a client may send a body a byte per frame, each frame a piece the exchange relays upstream
 *       on its own, and the codec's limit on empty DATA frames counts them in a row only, so an
 *       empty frame after each one-byte frame escapes it. DATA frames without END_STREAM whose
 *       payload (padding included) is under {@value #TINY_DATA_BYTES} bytes are counted, whatever
 *       comes between them: more than {@value #MAX_TINY_DATA_FRAMES} within {@value
 *       #TINY_DATA_WINDOW_SECONDS} seconds end the connection with GOAWAY {@code
 *       ENHANCE_YOUR_CALM}.
 *   <li><b>WINDOW_UPDATE beyond what the gateway sends.</b> A client grants window for the DATA it
 *       receives; a flood of WINDOW_UPDATE frames (increments of 1, on the connection or on its
 *       streams) costs the gateway a frame's work each, and flow control does not bound it. As
 *       Envoy does ({@code max_inbound_window_update_frames_per_data_frame_sent}), the frames a
 *       connection may send are counted over its life against {@value #WINDOW_UPDATES_FREE} + 2 ×
 *       (streams opened + {@value #WINDOW_UPDATES_PER_DATA_FRAME} × DATA frames the gateway wrote,
 *       {@link Http2ClientConnection#dataFramesSent}); past it, GOAWAY {@code ENHANCE_YOUR_CALM}.
 *   <li><b>Stream identifiers only grow</b> (RFC 9113, 5.1.1). A HEADERS frame on an identifier at
 *       or below the highest one the client opened, for a stream that is not open, is a connection
 *       error PROTOCOL_ERROR: the codec would only reset it, with STREAM_CLOSED, because it cannot
 *       tell a reused identifier from trailers in flight. The guard can: it follows which streams
 *       the client left open (HEADERS without END_STREAM until END_STREAM or RST_STREAM, or until
 *       the stream closes) and which the gateway reset recently, whose late frames it lets through.
 * </ul>
 *
 * <p>A violation is handed to the codec as a connection error (so the codec writes the GOAWAY and
 * closes); the frames before it in the same read are delivered first, and nothing after it is.
 *
 * <p>Installed by {@link Http2ConnectionGuard} whichever way the connection became HTTP/2 (TLS,
 * prior knowledge, {@code Upgrade: h2c}); every connection starts with the 24-byte client preface,
 * which is skipped. Confined to the connection's event loop.
 */
final class Http2FrameGuard extends ChannelInboundHandlerAdapter {

  private static final int FRAME_HEADER_LENGTH = 9;

  /** {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, which the codec checks. */
  private static final int PREFACE_LENGTH = 24;

  private static final int RECENT_RESETS = 128;

  /**
   * A DATA frame with a payload below this is tiny: less than the 5-byte prefix of a gRPC message,
   * the smallest piece of a body that a gRPC peer sends whole. Padding counts as payload.
   */
  static final int TINY_DATA_BYTES = 5;

  /**
   * Tiny DATA frames a client may send per {@link #TINY_DATA_WINDOW_SECONDS}: the default budget of
   * control frames ({@code http2-max-control-frames-per-window} 1000 per 10 s), on its own count; a
   * body typed a key at a time stays far below it.
   */
  static final int MAX_TINY_DATA_FRAMES = 1000;

  /** The window of {@link #MAX_TINY_DATA_FRAMES}. */
  static final int TINY_DATA_WINDOW_SECONDS = 10;

  /** WINDOW_UPDATE frames a connection may send before it is sent anything: Envoy's 5. */
  static final int WINDOW_UPDATES_FREE = 5;

  /**
   * WINDOW_UPDATE frames allowed per DATA frame the gateway wrote (doubled, as a stream window and
   * the connection's are updated apart): Envoy's default of {@code
   * max_inbound_window_update_frames_per_data_frame_sent}.
   */
  static final int WINDOW_UPDATES_PER_DATA_FRAME = 10;

  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int PRIORITY = 0x2;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int PING = 0x6;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int CONTINUATION = 0x9;
  private static final int END_STREAM = 0x1;
  private static final int ACK = 0x1;

  private final Http2ClientConnection codec;
  private final Http2Connection connection;
  private final int maxControlFrames;
  private final long controlWindowNanos;
  private final int maxOpenTracked;

  private int prefaceLeft = PREFACE_LENGTH;
  private final byte[] header = new byte[FRAME_HEADER_LENGTH];
  private int headerFill;
  private long payloadLeft;

  private int highestStreamId;
  private final Set<Integer> open = new HashSet<>();
  private final int[] recentResets = new int[RECENT_RESETS];
  private int recentResetsNext;

  private long windowStart = System.nanoTime();
  private int controlFrames;
  private long tinyDataWindowStart = windowStart;
  private int tinyDataFrames;
  private int streamsOpened;
  private long windowUpdates;
  private boolean violated;

  Http2FrameGuard(Http2ClientConnection codec, LimitsConfig limits) {
    this.codec = codec;
    this.connection = codec.connection();
    this.maxControlFrames = limits.http2MaxControlFramesPerWindow();
    this.controlWindowNanos = limits.http2ControlFrameWindow().toNanos();
    this.maxOpenTracked = Math.max(64, 2 * limits.http2MaxConcurrentStreams());
    this.highestStreamId = Math.max(0, connection.remote().lastStreamCreated());
    connection.addListener(
        new Http2ConnectionAdapter() {
          @Override
          public void onStreamClosed(Http2Stream stream) {
            open.remove(stream.id());
            if (stream.isResetSent()) {
              recentResets[recentResetsNext] = stream.id();
              recentResetsNext = (recentResetsNext + 1) % RECENT_RESETS;
            }
          }
        });
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
          Http2Exception violation = onFrame();
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

  /** Checks the frame whose header was just read; the connection error it breaks, or null. */
  private @Nullable Http2Exception onFrame() {
    payloadLeft = ((header[0] & 0xffL) << 16) | ((header[1] & 0xffL) << 8) | (header[2] & 0xffL);
    int type = header[3] & 0xff;
    int flags = header[4] & 0xff;
    int streamId =
        ((header[5] & 0x7f) << 24)
            | ((header[6] & 0xff) << 16)
            | ((header[7] & 0xff) << 8)
            | (header[8] & 0xff);
    return switch (type) {
      case HEADERS -> onHeaders(streamId, (flags & END_STREAM) != 0);
      case DATA -> {
        if ((flags & END_STREAM) != 0) {
          open.remove(streamId);
          yield null;
        }
        yield payloadLeft < TINY_DATA_BYTES ? tinyData() : null;
      }
      case WINDOW_UPDATE -> windowUpdate();
      case RST_STREAM -> {
        open.remove(streamId);
        yield null;
      }
      case PING, SETTINGS -> (flags & ACK) != 0 ? null : controlFrame();
      case PRIORITY -> controlFrame();
      default -> type > CONTINUATION ? controlFrame() : null;
    };
  }

  private @Nullable Http2Exception onHeaders(int streamId, boolean endStream) {
    if (streamId == 0 || (streamId & 1) == 0) {
      return null; // the codec's own connection error
    }
    if (streamId > highestStreamId) {
      highestStreamId = streamId;
      streamsOpened++;
      if (!endStream) {
        track(streamId);
      }
      return null;
    }
    if (open.contains(streamId)) {
      if (endStream) {
        open.remove(streamId); // trailers
      }
      return null;
    }
    if (connection.stream(streamId) != null || resetRecently(streamId)) {
      return null; // the codec decides: frames may still arrive on a stream the gateway reset
    }
    return Http2Exception.connectionError(
        Http2Error.PROTOCOL_ERROR,
        "HEADERS on stream %d, which is not open and not above the highest stream opened (%d)",
        streamId,
        highestStreamId);
  }

  private void track(int streamId) {
    if (open.size() >= maxOpenTracked) {
      // Streams the codec refused never close; forget those it does not know.
      for (Iterator<Integer> it = open.iterator(); it.hasNext(); ) {
        if (connection.stream(it.next()) == null) {
          it.remove();
        }
      }
    }
    if (open.size() < maxOpenTracked) {
      open.add(streamId);
    }
  }

  private boolean resetRecently(int streamId) {
    for (int id : recentResets) {
      if (id == streamId) {
        return true;
      }
    }
    return false;
  }

  private @Nullable Http2Exception tinyData() {
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

  private @Nullable Http2Exception windowUpdate() {
    long allowed =
        WINDOW_UPDATES_FREE
            + 2 * (streamsOpened + WINDOW_UPDATES_PER_DATA_FRAME * codec.dataFramesSent());
    if (++windowUpdates > allowed) {
      return Http2Exception.connectionError(
          Http2Error.ENHANCE_YOUR_CALM,
          "%d WINDOW_UPDATE frames for %d streams and %d DATA frames sent",
          windowUpdates,
          streamsOpened,
          codec.dataFramesSent());
    }
    return null;
  }

  private @Nullable Http2Exception controlFrame() {
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
