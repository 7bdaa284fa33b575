package io.portico.upstream.h2;

import io.netty.handler.codec.http2.Http2Exception;
import io.portico.eventloop.Http2FrameBudget;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Sits right in front of an upstream {@link H2Connection} and counts the frames the upstream sends
 * against the budgets of {@link Http2FrameBudget}, the client side's: PING and SETTINGS (not their
 * acknowledgements), PRIORITY and extension frames, at most the service's {@code
 * http2.max-control-frames-per-window} within its {@code http2.control-frame-window} (by default
 * 1000 in 10 s, the client side's defaults of {@code http2-max-control-frames-per-window} and
 * {@code http2-control-frame-window}); DATA frames of fewer than {@value
 * Http2FrameBudget#TINY_DATA_BYTES} bytes without END_STREAM; WINDOW_UPDATE frames beyond 2 ×
 * (streams written + {@value Http2FrameBudget#WINDOW_UPDATES_PER_DATA_FRAME} × DATA frames
 * written), Envoy's rule. Past any of them the connection ends with GOAWAY {@code
 * ENHANCE_YOUR_CALM} and its calls fail as the upstream's violation ({@link H2Connection}).
 *
 * <p>PINGs up to the number of DATA frames the gateway wrote are not counted: a server receiving a
 * large request body may measure the bandwidth with one per DATA frame it reads.
 *
 * <p>A server sends no preface beyond its SETTINGS frame, which is counted as any other. Confined
 * to the connection's event loop.
 */
final class H2FrameGuard extends Http2FrameBudget {

  private final H2Connection connection;

  /** {@code maxControlFrames} per {@code controlFrameWindow}: the service's settings. */
  H2FrameGuard(H2Connection connection, int maxControlFrames, Duration controlFrameWindow) {
    super(connection, 0, maxControlFrames, controlFrameWindow.toNanos());
    this.connection = connection;
  }

  @Override
  protected @Nullable Http2Exception onFrame(int type, int flags, int streamId, long length) {
    return switch (type) {
      case DATA -> (flags & END_STREAM) == 0 && length < TINY_DATA_BYTES ? tinyData() : null;
      case WINDOW_UPDATE -> windowUpdate(connection.streamsWritten(), connection.dataFramesSent());
      case PING -> (flags & ACK) != 0 ? null : ping(connection.dataFramesSent());
      case SETTINGS -> (flags & ACK) != 0 ? null : controlFrame();
      case PRIORITY -> controlFrame();
      default -> type > CONTINUATION ? controlFrame() : null;
    };
  }
}
