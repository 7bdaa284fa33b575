package io.portico.proxy;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.portico.config.LimitsConfig;
import io.portico.eventloop.Http2FrameBudget;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
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
 *       acknowledgements as fast as it floods would otherwise never be stopped. PINGs up to the
 *       number of DATA frames the gateway sent are not counted: a client downloading a large
 *       response may measure the bandwidth with one per DATA frame it reads (gRPC's BDP pings).
 *       (RST_STREAM, empty DATA in a row and small CONTINUATION frames have their own limits in the
 *       codec.)
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
 * <p>The frame reading and the three budgets are {@link Http2FrameBudget}'s, shared with the
 * upstream side. A violation is handed to the codec as a connection error (so the codec writes the
 * GOAWAY and closes); the frames before it in the same read are delivered first, and nothing after
 * it is.
 *
 * <p>Installed by {@link Http2ConnectionGuard} whichever way the connection became HTTP/2 (TLS,
 * prior knowledge, {@code Upgrade: h2c}); every connection starts with the 24-byte client preface,
 * which is skipped. Confined to the connection's event loop.
 */
final class Http2FrameGuard extends Http2FrameBudget {

  /** {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, which the codec checks. */
  private static final int PREFACE_LENGTH = 24;

  private static final int RECENT_RESETS = 128;

  private final Http2ClientConnection codec;
  private final Http2Connection connection;
  private final int maxOpenTracked;

  private int highestStreamId;
  private final Set<Integer> open = new HashSet<>();
  private final int[] recentResets = new int[RECENT_RESETS];
  private int recentResetsNext;
  private int streamsOpened;

  Http2FrameGuard(Http2ClientConnection codec, LimitsConfig limits) {
    super(
        codec,
        PREFACE_LENGTH,
        limits.http2MaxControlFramesPerWindow(),
        limits.http2ControlFrameWindow().toNanos());
    this.codec = codec;
    this.connection = codec.connection();
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
  protected @Nullable Http2Exception onFrame(int type, int flags, int streamId, long length) {
    return switch (type) {
      case HEADERS -> onHeaders(streamId, (flags & END_STREAM) != 0);
      case DATA -> {
        if ((flags & END_STREAM) != 0) {
          open.remove(streamId);
          yield null;
        }
        yield length < TINY_DATA_BYTES ? tinyData() : null;
      }
      case WINDOW_UPDATE -> windowUpdate(streamsOpened, codec.dataFramesSent());
      case RST_STREAM -> {
        open.remove(streamId);
        yield null;
      }
      case PING -> (flags & ACK) != 0 ? null : ping(codec.dataFramesSent());
      case SETTINGS -> (flags & ACK) != 0 ? null : controlFrame();
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
}
