package io.portico.plugins.ratelimit;

/** What a limiter does with a request's cost. */
enum Counting {
  /** Admit when every rule has room for the cost, and then count it (the usual case). */
  CHECK_AND_ADD,
  /** Admit when every rule has room for one more unit; count nothing yet (cost known later). */
  CHECK,
  /** Count the cost without checking (a cost learnt from the response). */
  ADD;

  int code() {
    return ordinal();
  }
}
