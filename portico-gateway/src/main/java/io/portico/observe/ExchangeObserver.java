package io.portico.observe;

/**
 * Told about every finished exchange, on the exchange's event loop. Implementations must return at
 * once: anything slow (writing a file) happens on their own thread.
 */
public interface ExchangeObserver {

  void onExchangeComplete(ExchangeRecord record);

  /** Observes nothing. */
  ExchangeObserver NONE = record -> {};
}
