package io.portico.ai;

import io.portico.config.AiConfig;
import io.portico.config.AiRouteOptions;
import io.portico.config.TimeoutsConfig;
import io.portico.spi.plugin.PluginContext;
import io.portico.upstream.UpstreamService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code ai} section compiled for one snapshot: the models it serves, each with its
 * targets (a provider's service, adapter and key ring, and the model name there). Immutable apart
 * from the key rings' cool-down state, which every route of the snapshot shares for a provider;
 * shared by every exchange of the snapshot, each of which runs it with its own {@link AiRun}.
 */
public final class AiPlan {

  /** A provider ready to call: its service, translation and keys. */
  record Provider(
      AiConfig.Provider config, UpstreamService service, ProviderAdapter adapter, KeyRing keys) {
    String name() {
      return config.name();
    }
  }

  /** A target of a model: a provider and the model name it knows. */
  record Target(Provider provider, String model, int weight) {}

  /** A model clients name, with its targets and limits. */
  record Model(AiConfig.Model config, List<Target> targets, TimeoutsConfig[] timeouts) {

    String name() {
      return config.name();
    }

    /** The targets in the order this request tries them. */
    Target[] order() {
      Target[] all = targets.toArray(new Target[0]);
      if (config.strategy() != AiConfig.Strategy.WEIGHTED || all.length < 2) {
        return all;
      }
      int total = 0;
      for (Target t : all) {
        total += t.weight();
      }
      int draw = ThreadLocalRandom.current().nextInt(total);
      int first = 0;
      for (int i = 0; i < all.length; i++) {
        draw -= all[i].weight();
        if (draw < 0) {
          first = i;
          break;
        }
      }
      Target[] out = new Target[all.length];
      out[0] = all[first];
      for (int i = 0, j = 1; i < all.length; i++) {
        if (i != first) {
          out[j++] = all[i];
        }
      }
      return out;
    }
  }

  private final Map<String, Model> models;
  private final long maxRequestSize;
  private final @Nullable PromptTemplate prompt;
  private final @Nullable PromptGuard guard;
  private final @Nullable ResponseCache cache;
  private final AiRouteOptions options;
  private final TokenBudget budget;
  private final PriceTable prices;

  private AiPlan(
      Map<String, Model> models,
      AiRouteOptions options,
      @Nullable PromptGuard guard,
      @Nullable ResponseCache cache,
      TokenBudget budget,
      PriceTable prices) {
    this.models = models;
    this.options = options;
    this.prompt = options.prompt() == null ? null : new PromptTemplate(options.prompt());
    this.guard = guard;
    this.cache = cache;
    this.budget = budget;
    this.prices = prices;
    long max = 0;
    for (Model m : models.values()) {
      max = Math.max(max, m.config().maxRequestSize());
    }
    // A route without models yet still reads a request, to name the model it does not serve.
    this.maxRequestSize = models.isEmpty() ? AiConfig.DEFAULT_MAX_REQUEST_SIZE : max;
  }

  /** The models the route serves, in config order. */
  Map<String, Model> models() {
    return models;
  }

  /** The largest request body any of the route's models accepts. */
  long maxRequestSize() {
    return maxRequestSize;
  }

  /** The route's prompt template, or null for the OpenAI front. */
  @Nullable PromptTemplate prompt() {
    return prompt;
  }

  @Nullable PromptGuard guard() {
    return guard;
  }

  @Nullable ResponseCache cache() {
    return cache;
  }

  /** Whether answers are cached for every consumer alike. */
  boolean sharedCache() {
    return options.cache() != null && options.cache().shareAcrossConsumers();
  }

  /**
   * Whether the route answers errors in OpenAI's shape (the AI front's own, and plugins' refusals),
   * rather than as {@code application/problem+json}.
   */
  public boolean openAiErrors() {
    return options.errorFormat() == AiRouteOptions.ErrorFormat.OPENAI;
  }

  /**
   * Whether errors on {@code path} take Anthropic's shape rather than OpenAI's: the route speaks
   * the API's own errors and {@code path} is the Messages API's ({@code …/messages}).
   */
  public boolean anthropicErrors(String path) {
    return openAiErrors() && prompt == null && AnthropicFront.serves(path);
  }

  /** Anthropic's error body: {@code {"type": "error", "error": {"type", "message"}}}. */
  public static byte[] anthropicError(int status, String message) {
    return Json.bytes(AnthropicFront.errorJson(status, message));
  }

  /** The token limits and quotas, shared by every route of the snapshot. */
  TokenBudget budget() {
    return budget;
  }

  /** The price table. */
  PriceTable prices() {
    return prices;
  }

  /**
   * Compiles routes' {@code ai} sections for one snapshot, sharing each provider's key ring between
   * them. Used on the compiling thread only.
   */
  public static final class Compiler {
    private final Map<String, UpstreamService> services;
    private final Function<String, String> env;

    /** A context without shared resources: neither Redis token limits nor a Redis cache. */
    private static final PluginContext NO_CONTEXT =
        new PluginContext() {
          @Override
          public io.netty.channel.EventLoopGroup eventLoops() {
            throw new UnsupportedOperationException("no event loops here");
          }

          @Override
          public String configSource() {
            return "";
          }
        };

    private final PluginContext context;
    private final Map<AiConfig, Map<String, Provider>> providers = new IdentityHashMap<>();
    private final Map<AiConfig, TokenBudget> budgets = new IdentityHashMap<>();
    private final Map<AiConfig, PriceTable> prices = new IdentityHashMap<>();
    private final List<String[]> problems = new ArrayList<>();

    /**
     * @param env the environment {@code env:} keys are read from, usually {@code System::getenv}
     */
    public Compiler(Map<String, UpstreamService> services, Function<String, String> env) {
      this(services, env, NO_CONTEXT);
    }

    /**
     * @param context what token limits counted in Redis and Redis response caches share their
     *     connections through (kept across reloads, closed at shutdown)
     */
    public Compiler(
        Map<String, UpstreamService> services,
        Function<String, String> env,
        PluginContext context) {
      this.services = services;
      this.env = env;
      this.context = context;
    }

    /**
     * The keys that could not be read, each as {@code {provider, key, message}} ({@code key} such
     * as {@code keys[0]}; the message names the reference, never a value).
     */
    public List<String[]> problems() {
      return problems;
    }

    /** The plan of a validated route section (its providers' services are in the snapshot). */
    public AiPlan compile(AiConfig.Route route) {
      Map<String, Provider> byName =
          providers.computeIfAbsent(route.ai(), ai -> providers(ai, services));
      Map<String, Model> models = new LinkedHashMap<>();
      for (AiConfig.Model m : route.ai().models()) {
        if (!route.models().isEmpty() && !route.models().contains(m.name())) {
          continue;
        }
        List<Target> targets = new ArrayList<>();
        for (AiConfig.Target t : m.targets()) {
          targets.add(
              new Target(
                  java.util.Objects.requireNonNull(byName.get(t.provider())),
                  t.model(),
                  t.weight()));
        }
        TimeoutsConfig[] timeouts = new TimeoutsConfig[targets.size()];
        for (int i = 0; i < timeouts.length; i++) {
          timeouts[i] =
              new TimeoutsConfig(
                  targets.get(i).provider().config().connectTimeout(), m.timeout(), m.timeout());
        }
        models.put(m.name(), new Model(m, List.copyOf(targets), timeouts));
        // Vocabularies load here, off the event loops, not on a request's first count.
        TokenCounter.encoding(m.name());
        for (Target t : targets) {
          TokenCounter.encoding(t.model());
        }
      }
      AiRouteOptions options = route.options();
      PromptGuard guard =
          options.guard() == null
              ? null
              : new PromptGuard(options.guard(), TokenEstimate.FOUR_CHARS);
      return new AiPlan(
          models,
          options,
          guard,
          cache(options.cache()),
          budgets.computeIfAbsent(route.ai(), ai -> TokenBudget.of(ai.tokens(), context)),
          prices.computeIfAbsent(route.ai(), ai -> new PriceTable(ai.tokens().prices())));
    }

    private @Nullable ResponseCache cache(AiRouteOptions.@Nullable Cache c) {
      if (c == null) {
        return null;
      }
      if (c.store() == AiRouteOptions.Store.MEMORY) {
        return new MemoryResponseCache(
            c.ttl().toNanos(), c.maxEntries(), c.maxBytes(), System::nanoTime);
      }
      if (context == NO_CONTEXT) {
        throw new IllegalStateException("a Redis response cache needs the shared resources");
      }
      String url = java.util.Objects.requireNonNull(c.redisUrl());
      RedisResponseCache.Connection connection =
          context.shared(
              "ai.cache.redis " + url,
              RedisResponseCache.Connection.class,
              () -> new RedisResponseCache.Connection(url));
      return new RedisResponseCache(connection, c.redisPrefix(), c.ttl(), c.redisTimeout());
    }

    private Map<String, Provider> providers(AiConfig ai, Map<String, UpstreamService> services) {
      Map<String, Provider> out = new LinkedHashMap<>();
      for (AiConfig.Provider p : ai.providers()) {
        UpstreamService service = services.get(p.serviceName());
        if (service == null) {
          throw new IllegalArgumentException("no service " + p.serviceName());
        }
        out.put(
            p.name(),
            new Provider(p, service, adapter(p), new KeyRing(read(p), p.keyCooldown().toNanos())));
      }
      return out;
    }

    /** The values of a provider's keys, read now (off the event loops). */
    private List<String> read(AiConfig.Provider p) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < p.keys().size(); i++) {
        AiConfig.Key k = p.keys().get(i);
        String where = "keys[" + i + "]";
        String value = null;
        if (k.value() != null) {
          value = k.value();
        } else if (k.variable() != null) {
          value = env.apply(k.variable());
          if (value == null || value.isBlank()) {
            problems.add(
                new String[] {
                  p.name(),
                  where,
                  "environment variable " + k.variable() + " is not set (expected: the key)"
                });
            continue;
          }
        } else if (k.file() != null) {
          try {
            value = Files.readString(k.file(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            problems.add(
                new String[] {
                  p.name(), where, k.file() + " cannot be read (expected: a file holding the key)"
                });
            continue;
          }
          if (value.isBlank()) {
            problems.add(
                new String[] {p.name(), where, k.file() + " is empty (expected: the key)"});
            continue;
          }
        }
        if (value != null) {
          values.add(value.trim());
        }
      }
      return values;
    }

    static ProviderAdapter adapter(AiConfig.Provider p) {
      return switch (p.kind()) {
        case OPENAI, OPENAI_COMPATIBLE -> new OpenAiAdapter(p.basePath());
        case AZURE_OPENAI ->
            new AzureOpenAiAdapter(
                p.basePath(),
                // required of an Azure provider by the parser
                Objects.requireNonNull(p.apiVersion(), "api-version"),
                p.deployments());
        case ANTHROPIC -> new AnthropicAdapter(p.basePath());
        case GEMINI -> new GeminiAdapter(p.basePath());
      };
    }
  }
}
