package io.portico.observe.metrics;

/**
 * The closed label values the meters use, resolved to array indexes without building strings: the
 * request method (known methods by name, every other under {@code OTHER}) and the status class.
 * Label values that cannot be a config name are in parentheses, so no route, service or consumer
 * can collide with them.
 */
final class Labels {

  /** The route of a request that matched none. */
  static final String UNMATCHED = "(unmatched)";

  /** The service of a request that reached no service (unmatched, or answered by a plugin). */
  static final String NO_SERVICE = "(none)";

  /** The failure of a request that did not fail. */
  static final String NO_FAILURE = "none";

  /** The consumers beyond {@code metrics.max-consumers}. */
  static final String OTHER_CONSUMERS = "(other)";

  /** The requests without an identified consumer. */
  static final String NO_CONSUMER = "(none)";

  static final String[] METHODS = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE", "OTHER"
  };

  /** {@code 0xx} is a request that got no response at all (the client left first). */
  static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

  /** gRPC status codes are 0 to 16: the {@code grpc_status} label takes those values only. */
  static final int GRPC_STATUSES = 17;

  private Labels() {}

  /** The index of {@code method} in {@link #METHODS}. */
  static int method(String method) {
    if (method == null) {
      return METHODS.length - 1;
    }
    return switch (method) {
      case "GET" -> 0;
      case "HEAD" -> 1;
      case "POST" -> 2;
      case "PUT" -> 3;
      case "DELETE" -> 4;
      case "PATCH" -> 5;
      case "OPTIONS" -> 6;
      case "CONNECT" -> 7;
      case "TRACE" -> 8;
      default -> 9;
    };
  }

  /** The index of {@code status}'s class in {@link #STATUS_CLASSES}. */
  static int statusClass(int status) {
    int c = status / 100;
    return c >= 1 && c <= 5 ? c : 0;
  }
}
