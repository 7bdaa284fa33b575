package io.portico.ai;

/**
 * How many tokens a text is taken to hold, for checks made before a call (the provider's own count
 * comes with its answer). Thread-safe.
 */
@FunctionalInterface
interface TokenEstimate {

  /** About four characters a token, rounded up: what OpenAI's own guidance gives for English. */
  TokenEstimate FOUR_CHARS = text -> (text.length() + 3) / 4;

  int tokens(CharSequence text);
}
