package io.portico.observe;

/**
 * Told about every finished exchange, on the exchange's event loop. Implementations must return at
 * once: anything slow (writing a file) happens on their own thread.
 */
public interface ExchangeObserver {

  void onExchangeComplete(ExchangeRecord record);

  /**
   * Whether a record is wanted now. False lets the proxy skip building one: an observer that is on
   * only while someone reads (the live tail) says so, so that a gateway with nothing to record pays
   * nothing per exchange. Any thread; a volatile read at most.
   */
  default boolean observing() {
    return true;
  }

  /** Observes nothing. */
  ExchangeObserver NONE = record -> {};
}
