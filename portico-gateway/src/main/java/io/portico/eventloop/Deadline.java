package io.portico.eventloop;

/**
 * A resettable deadline on an event loop: armed, moved and disarmed by the code it guards, which is
 * told once the deadline passes. {@link DeadlineTimer} is a connection's own; {@link
 * StreamDeadlines} gives the streams of one HTTP/2 connection theirs on a single scheduled task.
 *
 * <p>Confined to its event loop.
 */
public interface Deadline {

  /** The clock deadlines are measured on: the event loop's ticker. */
  long now();

  /** Fires at {@code nanoTime} (on {@link #now()}'s clock) unless moved or disarmed before. */
  void armAt(long nanoTime);

  /** Stops the deadline; it may be armed again. */
  void disarm();

  /** Stops the deadline for good: its owner is closing. */
  void cancel();
}
