package io.portico.observe;

/**
 * Told about every finished exchange, on the exchange's event loop. Implementations must return at
 * once: anything slow (writing a file) happens on their own thread.
 */
public interface ExchangeObserver {

  void onExchangeComplete(ExchangeRecord record);

  /**
   * Whether a record would be read now. The proxy builds an exchange's {@link ExchangeRecord} only
   * when this is true, so an observer that is idle (a live tail with no reader) costs no record per
   * request. Asked on the event loop once per finished exchange: keep it a field read.
   */
  default boolean wantsRecords() {
    return true;
  }

  /** Observes nothing. */
  ExchangeObserver NONE = record -> {};
}
