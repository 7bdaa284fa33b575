package io.portico.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The top-level {@code ai} section: the LLM providers the gateway calls with its own keys, and the
 * model names clients send, each mapped to provider targets. Routes with an {@code ai} section
 * answer OpenAI-compatible requests with it.
 *
 * @param providers the providers in config order; each also becomes a service named {@code
 *     ai.<name>} (its pools, TLS and endpoint source are a service's)
 * @param models the model names clients may send, in config order
 * @param tokens token estimates, limits, quotas and prices
 */
public record AiConfig(List<Provider> providers, List<Model> models, AiTokensConfig tokens) {

  public AiConfig {
    providers = List.copyOf(providers);
    models = List.copyOf(models);
  }

  /** A section without token limits, quotas or prices. */
  public AiConfig(List<Provider> providers, List<Model> models) {
    this(providers, models, AiTokensConfig.NONE);
  }

  /** The prefix of the service a provider becomes. */
  public static final String SERVICE_PREFIX = "ai.";

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_KEY_COOLDOWN = Duration.ofSeconds(60);
  public static final long DEFAULT_MAX_REQUEST_SIZE = 4L << 20;

  public Optional<Provider> provider(String name) {
    return providers.stream().filter(p -> p.name().equals(name)).findFirst();
  }

  /** The wire format a provider speaks. */
  public enum Kind {
    OPENAI("openai", "https://api.openai.com/v1"),
    AZURE_OPENAI("azure-openai", null),
    ANTHROPIC("anthropic", "https://api.anthropic.com/v1"),
    GEMINI("gemini", "https://generativelanguage.googleapis.com/v1beta"),
    OPENAI_COMPATIBLE("openai-compatible", null);

    private final String id;
    private final @Nullable String defaultBaseUrl;

    Kind(String id, @Nullable String defaultBaseUrl) {
      this.id = id;
      this.defaultBaseUrl = defaultBaseUrl;
    }

    public String id() {
      return id;
    }

    /** The base URL used when the provider names none; null when it must be given. */
    public @Nullable String defaultBaseUrl() {
      return defaultBaseUrl;
    }

    public static Optional<Kind> of(String id) {
      for (Kind k : values()) {
        if (k.id.equals(id)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * Where a provider key is read from: {@code env:NAME} (the variable {@code NAME}) or {@code
   * file:PATH} (the file's content, trimmed). The value is read when a snapshot is compiled (start
   * and every reload), never held in the configuration.
   *
   * @param reference the reference as written, the only form ever printed
   * @param variable the environment variable, or null for a file
   * @param file the absolute file, or null for a variable
   * @param value the key itself, for a key written through the admin API ({@code api-key} of a
   *     provider object); null for a reference. Its reference is its masked form ({@code api-key
   *     …abcd}), which is all that is ever printed.
   */
  public record Key(
      String reference, @Nullable String variable, @Nullable Path file, @Nullable String value) {

    public Key(String reference, @Nullable String variable, @Nullable Path file) {
      this(reference, variable, file, null);
    }

    /** A key's masked form: an ellipsis and its last four characters ({@code …abcd}). */
    public static String masked(String key) {
      return "\u2026" + (key.length() > 8 ? key.substring(key.length() - 4) : "");
    }

    @Override
    public String toString() {
      return reference;
    }
  }

  /**
   * One provider.
   *
   * @param address the host and port of the base URL
   * @param tls whether the base URL is {@code https}
   * @param basePath the base URL's path without a trailing slash ({@code /v1}), or empty
   * @param keys the keys, used in rotation; empty for a provider that needs none
   * @param apiVersion Azure OpenAI's {@code api-version}, or null
   * @param deployments Azure OpenAI's deployment per model name (a model without one is its own
   *     deployment name)
   * @param keyCooldown how long a key refused (401, 403) or exhausted (429 without {@code
   *     Retry-After}) is left out
   */
  public record Provider(
      String name,
      Kind kind,
      InetSocketAddress address,
      boolean tls,
      String basePath,
      List<Key> keys,
      @Nullable String apiVersion,
      Map<String, String> deployments,
      Duration connectTimeout,
      Duration keyCooldown) {

    public Provider {
      keys = List.copyOf(keys);
      deployments = Map.copyOf(deployments);
    }

    /** The name of the service the provider becomes. */
    public String serviceName() {
      return SERVICE_PREFIX + name;
    }

    @Override
    public String toString() {
      return "Provider[" + name + ", " + kind.id() + ", " + keys.size() + " keys]";
    }
  }

  /**
   * A model name clients send.
   *
   * @param strategy how the first target of a request is chosen
   * @param timeout bounds each attempt: waiting for the provider's answer, and the silence between
   *     two events of a streamed answer
   * @param maxRequestSize the largest request body accepted for this model
   */
  public record Model(
      String name, Strategy strategy, List<Target> targets, Duration timeout, long maxRequestSize) {
    public Model {
      targets = List.copyOf(targets);
    }
  }

  /** How a model's first target is chosen; the others follow in config order as fallbacks. */
  public enum Strategy {
    /** The first target in config order. */
    ORDERED,
    /** A target drawn by weight. */
    WEIGHTED
  }

  /** A provider and the model name it knows. */
  public record Target(String provider, String model, int weight) {}

  /**
   * A route's {@code ai} section.
   *
   * @param ai the gateway's {@code ai} section
   * @param models the model names the route serves; empty for every one
   * @param options the route's prompt template, guard, cache and error shape
   */
  public record Route(AiConfig ai, List<String> models, AiRouteOptions options) {
    public Route {
      models = List.copyOf(models);
    }

    public Route(AiConfig ai, List<String> models) {
      this(ai, models, AiRouteOptions.NONE);
    }
  }
}
