package io.portico.eventloop;

import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The frames of one HTTP/2 stream that its reader cannot take yet: the request frames of a client
 * stream ({@code proxy.Http2ClientStream}) whose exchange holds it, the response frames of an
 * upstream stream ({@code upstream.h2.H2Stream}) whose call holds it. Both sides keep them the same
 * way, here.
 *
 * <pre>
 *   frame ─▶ keep? ── no ──▶ the stream hands it to its reader now
 *              │ yes: held, or frames already kept (order holds)
 *              ▼
 *   [ kept frames, each with its unreturned window ] ── resume ─▶ drain task ─▶ next() ...
 * </pre>
 *
 * <p>While the reader holds the stream ({@link #hold}), every frame that arrives is kept with its
 * flow-controlled length, whose window is not returned, so the peer can send no more than the
 * stream's window: that bounds the queue. A frame that arrives while earlier ones are kept is kept
 * behind them. When the reader resumes, the stream's drain runs from the event loop's next task
 * (never from inside the reader's own call) and takes the kept frames in order with {@link #next}
 * until the reader holds again; the stream returns each frame's window as it hands it on. The same
 * task is the stream's way to finish something later ({@link #scheduleDrain}): its close found
 * inside one of its own calls.
 *
 * <p>Made on a stream's first hold, so a stream that is never held costs nothing of it. A kept
 * frame's buffers are this queue's until {@link #next} hands the frame to the stream, or {@link
 * #releaseAll} releases them.
 *
 * <p>Confined to the stream's event loop.
 */
public final class HeldFrames implements Runnable {

  /** A kept frame and the window it has not returned. */
  public record Frame(HttpObject message, int bytes) {}

  private final Executor eventLoop;
  private final Runnable drain;
  private final ArrayDeque<Frame> frames = new ArrayDeque<>(4);
  private boolean held;
  private boolean drainScheduled;

  /**
   * @param eventLoop the stream's event loop
   * @param drain the stream's drain: takes the kept frames with {@link #next}, from the event
   *     loop's next task
   */
  public HeldFrames(Executor eventLoop, Runnable drain) {
    this.eventLoop = eventLoop;
    this.drain = drain;
  }

  /** Whether the reader holds the stream. */
  public boolean held() {
    return held;
  }

  /** Whether no frame is kept. */
  public boolean isEmpty() {
    return frames.isEmpty();
  }

  /** Whether the drain task is scheduled and has not run yet. */
  public boolean drainScheduled() {
    return drainScheduled;
  }

  /**
   * Keeps {@code message} when the reader holds the stream or frames wait before it; {@code false}:
   * it was not kept, and goes to the reader now.
   */
  public boolean keep(HttpObject message, int bytes) {
    if (!held && frames.isEmpty()) {
      return false;
    }
    frames.add(new Frame(message, bytes));
    return true;
  }

  /** Holds ({@code true}) or resumes the stream; resumed with frames kept, the drain follows. */
  public void hold(boolean hold) {
    if (held == hold) {
      return;
    }
    held = hold;
    if (!hold && !frames.isEmpty()) {
      scheduleDrain();
    }
  }

  /** Runs the stream's drain from the event loop's next task, unless it is scheduled already. */
  public void scheduleDrain() {
    if (!drainScheduled) {
      drainScheduled = true;
      eventLoop.execute(this);
    }
  }

  /** The next kept frame, now the caller's; null when none is kept or the reader holds again. */
  public @Nullable Frame next() {
    return held ? null : frames.poll();
  }

  /** Releases every kept frame (their windows go with the stream). */
  public void releaseAll() {
    Frame next;
    while ((next = frames.poll()) != null) {
      ReferenceCountUtil.release(next.message());
    }
  }

  /** The drain task: the stream's drain, run once per {@link #scheduleDrain}. */
  @Override
  public void run() {
    drainScheduled = false;
    drain.run();
  }
}
