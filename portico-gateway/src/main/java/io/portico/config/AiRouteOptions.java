package io.portico.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a route's {@code ai} section adds to the OpenAI front: a prompt template that turns the
 * route into a REST API, a prompt guard with masking, a response cache, and the shape of the errors
 * the route answers.
 *
 * @param prompt the prompt template, or null for the OpenAI front
 * @param guard the prompt guard, or null for none
 * @param cache the response cache, or null for none
 * @param errorFormat the shape of every error the route answers, plugin refusals included
 */
public record AiRouteOptions(
    @Nullable Prompt prompt,
    @Nullable Guard guard,
    @Nullable Cache cache,
    ErrorFormat errorFormat) {

  /** No template, guard or cache; OpenAI's error shape. */
  public static final AiRouteOptions NONE =
      new AiRouteOptions(null, null, null, ErrorFormat.OPENAI);

  /** The shape of a route's error bodies. */
  public enum ErrorFormat {
    /** {@code {"error": {"message", "type", "param", "code"}}}, what OpenAI clients parse. */
    OPENAI,
    /** RFC 9457 {@code application/problem+json}. */
    PROBLEM
  }

  /** What a prompt route answers: the model's text, or its text checked to be JSON. */
  public enum ResponseMode {
    TEXT,
    JSON
  }

  /**
   * A prompt template: the request body's variables (and the query's, when {@code fromQuery}) fill
   * the system and user messages sent to {@code model}.
   *
   * @param system the system message, or null for none
   * @param maxTokens the {@code max_tokens} sent, or 0 for none
   * @param temperature the {@code temperature} sent, or NaN for none
   */
  public record Prompt(
      String model,
      List<Variable> variables,
      @Nullable Template system,
      Template user,
      ResponseMode response,
      boolean fromQuery,
      int maxTokens,
      double temperature) {
    public Prompt {
      variables = List.copyOf(variables);
    }
  }

  /**
   * A declared variable.
   *
   * @param maxLength the most characters (code points) of a value, or 0 for no limit
   * @param defaultValue the value when the request gives none, or null
   */
  public record Variable(
      String name, boolean required, int maxLength, @Nullable String defaultValue) {}

  /**
   * A message template: literal text and variable names, alternating; {@code parts.get(i)} is a
   * literal when {@code i} is even and a variable's name when odd.
   */
  public record Template(String text, List<String> parts) {
    public Template {
      parts = List.copyOf(parts);
    }
  }

  /**
   * The prompt guard.
   *
   * @param allow patterns of which at least one must match the checked text, when any is given
   * @param deny patterns none of which may match the checked text (deny wins over allow)
   * @param maxPromptTokens the most tokens (estimated) of every message together, or 0 for no limit
   * @param mask what is masked in the messages before the call, or null for nothing
   */
  public record Guard(
      List<Pattern> allow, List<Pattern> deny, int maxPromptTokens, @Nullable Mask mask) {
    public Guard {
      allow = List.copyOf(allow);
      deny = List.copyOf(deny);
    }
  }

  /**
   * Masking of personal data in the messages before the call.
   *
   * @param format the replacement, where {@code {kind}} is {@code email} or {@code card} and {@code
   *     {last4}} a card's last four digits (empty for an e-mail address)
   */
  public record Mask(boolean emails, boolean cards, String format) {}

  /** Where cached answers are kept. */
  public enum Store {
    MEMORY,
    REDIS
  }

  /**
   * The exact-match response cache.
   *
   * @param maxEntries the most answers kept (memory)
   * @param maxBytes the most bytes of answers kept (memory)
   * @param shareAcrossConsumers whether consumers share answers; otherwise the consumer is part of
   *     the key
   * @param redisUrl the Redis URI (redis store), or null
   * @param redisPrefix prepended to every Redis key
   * @param redisTimeout how long a lookup waits for Redis before the request bypasses the cache
   */
  public record Cache(
      Store store,
      Duration ttl,
      int maxEntries,
      long maxBytes,
      boolean shareAcrossConsumers,
      @Nullable String redisUrl,
      String redisPrefix,
      Duration redisTimeout) {}
}
