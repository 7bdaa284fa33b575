package io.portico.upstream.h2;

import io.netty.channel.EventLoop;
import io.portico.eventloop.DeadlineTimer;
import java.util.ArrayList;
import java.util.List;

/**
 * The deadlines of one upstream connection's streams, on one {@link DeadlineTimer}: a stream's
 * deadline costs no scheduled task of its own, only a place in a list.
 *
 * <p>The armed streams are kept in an array, each stream knowing its index, so arming, moving and
 * disarming are constant time (a disarmed stream leaves by swapping the last one into its place).
 * The timer is armed for a time no later than the earliest armed deadline: arming one earlier moves
 * it, anything else only writes the stream's fields. When the timer fires it sweeps the list once:
 * the expired streams leave it, the timer is re-armed for the earliest remaining deadline, and then
 * each expired stream is told. With one response timeout for all calls, the timer fires about once
 * per timeout period however many calls the connection carries.
 *
 * <p>Confined to the connection's event loop.
 */
final class StreamDeadlines implements Runnable {

  /** What a stream keeps for its place in the list. */
  interface Member {
    /** Its index in the list, or -1 when not armed. */
    int deadlineIndex();

    void deadlineIndex(int index);

    /** The deadline it was armed for (the event loop's clock). */
    long deadlineAt();

    void deadlineAt(long nanoTime);

    /** Its deadline passed; it has already left the list. */
    void onDeadlinePassed();
  }

  private final DeadlineTimer timer;
  private Member[] armed = new Member[8];
  private int size;

  StreamDeadlines(EventLoop loop) {
    this.timer = new DeadlineTimer(loop, this);
  }

  /** The clock deadlines are measured on. */
  long now() {
    return timer.now();
  }

  /** Arms or moves {@code member}'s deadline to {@code nanoTime}. */
  void arm(Member member, long nanoTime) {
    member.deadlineAt(nanoTime);
    if (member.deadlineIndex() < 0) {
      if (size == armed.length) {
        armed = java.util.Arrays.copyOf(armed, size * 2);
      }
      armed[size] = member;
      member.deadlineIndex(size++);
    }
    if (!timer.armed() || nanoTime - timer.deadline() < 0) {
      timer.armAt(nanoTime);
    }
  }

  /** Ends {@code member}'s deadline, if armed. */
  void disarm(Member member) {
    int i = member.deadlineIndex();
    if (i < 0) {
      return;
    }
    member.deadlineIndex(-1);
    Member last = armed[--size];
    armed[size] = null;
    if (last != member) {
      armed[i] = last;
      last.deadlineIndex(i);
    }
    if (size == 0) {
      timer.disarm();
    }
  }

  /** The connection closed: no deadline fires any more. */
  void cancel() {
    while (size > 0) {
      disarm(armed[size - 1]);
    }
    timer.cancel();
  }

  /** Number of armed deadlines. */
  int size() {
    return size;
  }

  /** The timer fired: the expired streams leave the list and are told. */
  @Override
  public void run() {
    long now = timer.now();
    List<Member> expired = null;
    long earliest = 0;
    boolean any = false;
    for (int i = size - 1; i >= 0; i--) {
      Member m = armed[i];
      if (now - m.deadlineAt() >= 0) {
        disarm(m);
        if (expired == null) {
          expired = new ArrayList<>(2);
        }
        expired.add(m);
      } else if (!any || m.deadlineAt() - earliest < 0) {
        earliest = m.deadlineAt();
        any = true;
      }
    }
    if (any) {
      timer.armAt(earliest);
    }
    if (expired != null) {
      for (Member m : expired) {
        m.onDeadlinePassed();
      }
    }
  }
}
