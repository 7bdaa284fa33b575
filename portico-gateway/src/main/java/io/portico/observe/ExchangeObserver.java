package io.portico.observe;

/**
 * Told about every finished exchange, on the exchange's event loop. Implementations must return at
 * once: anything slow (writing a file) happens on their own thread.
 */
public interface ExchangeObserver {

  /**
   * The exchange finished. Unless {@link #keepsRecords} is true, {@code record} may be its
   * connection's shared record ({@link ExchangeRecord.Builder#buildShared}), which the connection's
   * next exchange fills anew: read it here and keep none of it but its values, or {@link
   * ExchangeRecord#withoutHeaders}, a copy of its own.
   */
  void onExchangeComplete(ExchangeRecord record);

  /**
   * Whether this observer keeps the record itself past {@link #onExchangeComplete} (a queue, a
   * list, another thread). The proxy gives observers that all answer false its connection's shared
   * record, filled anew for each exchange, so that an exchange costs no record; an observer that
   * answers true gets a record of its own, which never changes. Keep it a field read; an observer
   * that cannot tell answers true.
   */
  default boolean keepsRecords() {
    return true;
  }

  /**
   * Whether a record would be read now. The proxy builds an exchange's {@link ExchangeRecord} only
   * when this is true, so an observer that is idle (a live tail with no reader) costs no record per
   * request. Asked on the event loop once per finished exchange: keep it a field read.
   */
  default boolean wantsRecords() {
    return true;
  }

  /**
   * Whether this observer reads a record's {@link ExchangeRecord#requestHeaders()}, asked with
   * {@link #wantsRecords} before the record is made. The proxy may write some fields of a request
   * head upstream without putting them in the head's map (a connection's forwarding fields, encoded
   * once); for an observer that reads the map it puts them in first, so that the record shows the
   * head as it went upstream. Keep it a field read; an observer that cannot tell answers true.
   */
  default boolean readsRequestHeaders() {
    return true;
  }

  /**
   * Whether this observer reads a record's {@link ExchangeRecord#requestId()}, asked with {@link
   * #wantsRecords} before the record is made. The proxy makes a generated id's text only when
   * something reads it; for an observer that answers false the record's id may be null even though
   * the exchange had one (metrics, which count, never read it). Keep it a field read; an observer
   * that cannot tell answers true.
   */
  default boolean readsRequestId() {
    return true;
  }

  /** Observes nothing. */
  ExchangeObserver NONE = record -> {};
}
