package io.portico.plugins.ratelimit;

import java.util.List;

/** What a Redis-backed plugin does when Redis is slow (past its timeout) or down. */
public enum FailurePolicy {
  /** Let the request through uncounted. */
  FAIL_OPEN,
  /** Refuse it with 503 (never 401, 403 or 500): the service is protected, not the caller. */
  FAIL_CLOSED,
  /** Count it in this instance only, as if the policy were {@code local}, until Redis is back. */
  LOCAL_FALLBACK;

  static final List<String> NAMES = List.of("fail-open", "fail-closed", "local-fallback");

  static FailurePolicy of(String text) {
    return switch (text) {
      case "fail-closed" -> FAIL_CLOSED;
      case "local-fallback" -> LOCAL_FALLBACK;
      default -> FAIL_OPEN;
    };
  }
}
