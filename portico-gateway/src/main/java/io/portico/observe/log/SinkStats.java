package io.portico.observe.log;

/**
 * What a sink of the access log has done so far, readable from any thread. Counts only grow.
 *
 * <p>Every line offered to a sink is, eventually, exactly one of: delivered, dropped (its queue was
 * full) or failed (the sink could not deliver the batch that held it); the rest are {@link
 * #queued()}.
 */
public interface SinkStats {

  /** The sink's name in the config (its type when unnamed). */
  String name();

  /** The sink's type: file, stdout, http, syslog or nats. */
  String type();

  /** Lines waiting in the queue now. */
  int queued();

  /** Lines the sink delivered. */
  long delivered();

  /** Lines dropped because the queue was full. */
  long dropped();

  /** Lines lost because their delivery failed (after the sink's own retries). */
  long failed();
}
