package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code ai} section into an {@link AiConfig} and each provider into the
 * {@link ServiceConfig} it runs on, and a route's {@code ai} section into an {@link
 * AiConfig.Route}; every problem is recorded with its position. Provider keys are read here ({@code
 * env:NAME} from the environment, {@code file:PATH} relative to the config's directory): a key that
 * cannot be read is a problem, and its value never appears in one.
 */
final class AiSection {

  private static final String KEY_RULE = "a key reference: env:VARIABLE or file:PATH";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Problems problems;
  private final Path baseDir;
  private final @Nullable DiscoveryKind<?> staticKind;
  private final @Nullable DiscoveryKind<?> dnsKind;

  /**
   * @param dnsKind the {@code dns} endpoint source kind, for providers named by a host name (so
   *     their addresses follow DNS), or null to resolve them once, as static targets
   */
  AiSection(
      Problems problems,
      Path baseDir,
      @Nullable DiscoveryKind<?> staticKind,
      @Nullable DiscoveryKind<?> dnsKind) {
    this.problems = problems;
    this.baseDir = baseDir;
    this.staticKind = staticKind;
    this.dnsKind = dnsKind;
  }

  /** The section, or null when absent or unusable (its problems recorded). */
  @Nullable AiConfig parse(@Nullable ConfigNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      problems.expected(node, "an object with providers and models");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    List<AiConfig.Provider> providers = new ArrayList<>();
    Map<String, ConfigNode> providerNames = new HashMap<>();
    ConfigNode list = r.required("providers", "a list of providers");
    if (list != null) {
      if (!list.isList() || list.items().isEmpty()) {
        problems.expected(list, "a list of at least one provider");
      } else {
        for (ConfigNode item : list.items()) {
          AiConfig.Provider p = provider(item, providerNames);
          if (p != null) {
            providers.add(p);
          }
        }
      }
    }
    List<AiConfig.Model> models = new ArrayList<>();
    ConfigNode modelList = r.child("models");
    if (modelList != null && !modelList.isNull()) {
      if (!modelList.isList()) {
        problems.expected(modelList, "a list of models");
      } else {
        Map<String, ConfigNode> names = new HashMap<>();
        for (ConfigNode item : modelList.items()) {
          AiConfig.Model m = model(item, names, providerNames);
          if (m != null) {
            models.add(m);
          }
        }
      }
    }
    AiTokensConfig tokens =
        new AiTokensSection(problems)
            .parse(
                r,
                providerNames.keySet(),
                models.stream()
                    .map(AiConfig.Model::name)
                    .collect(Collectors.toCollection(java.util.LinkedHashSet::new)));
    r.finish();
    return new AiConfig(providers, models, tokens);
  }

  /**
   * The services the providers run on, one per provider. A provider named by a host name follows
   * its DNS records ({@code dns} discovery: re-resolved by TTL, the last addresses kept while DNS
   * fails, a start that does not wait on it); one named by an IP address or {@code localhost} is a
   * static target. Over TLS the certificate is checked against the base URL's host.
   */
  List<ServiceConfig> services(AiConfig ai) {
    List<ServiceConfig> out = new ArrayList<>();
    for (AiConfig.Provider p : ai.providers()) {
      InetSocketAddress a = p.address();
      int defaultPort = p.tls() ? 443 : 80;
      String host = a.getHostString();
      String hostHeader =
          (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
              + (a.getPort() == defaultPort ? "" : ":" + a.getPort());
      out.add(
          new ServiceConfig(
              p.serviceName(),
              discovery(host, a.getPort(), p.tls()),
              new TimeoutsConfig(
                  p.connectTimeout(), AiConfig.DEFAULT_TIMEOUT, AiConfig.DEFAULT_TIMEOUT),
              PoolConfig.DEFAULTS,
              new RetryConfig(0, 0),
              hostHeader,
              List.of(),
              p.tls()
                  ? new UpstreamTlsConfig(true, null, host, null, null, ConfigParser.TLS_PROTOCOLS)
                  : null,
              BalancerConfig.DEFAULTS,
              HealthConfig.DEFAULTS));
    }
    return out;
  }

  private @Nullable DiscoverySpec discovery(String host, int port, boolean tls) {
    boolean literal =
        host.equalsIgnoreCase("localhost")
            || host.indexOf(':') >= 0
            || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    if (literal || dnsKind == null) {
      return staticKind == null
          ? null
          : new DiscoverySpec(
              staticKind, new StaticTargets(List.of(new TargetConfig(host, port, 1, tls))));
    }
    Location at = new Location("ai.providers", 0, 0);
    Map<String, ConfigNode> settings = new LinkedHashMap<>();
    settings.put("kind", ConfigNode.scalar("discovery.kind", at, "dns", false));
    settings.put("name", ConfigNode.scalar("discovery.name", at, host, false));
    settings.put("port", ConfigNode.scalar("discovery.port", at, String.valueOf(port), false));
    Map<String, ConfigNode> service = new LinkedHashMap<>();
    service.put("discovery", ConfigNode.object("discovery", at, settings));
    ConfigReader reader = ConfigReader.of(ConfigNode.object("", at, service), problems);
    return new DiscoverySpec(dnsKind, dnsKind.parse(reader));
  }

  /** A route's {@code ai} section: {@code {}} or {@code {models: [...]}}. */
  AiConfig.@Nullable Route route(ConfigNode node, @Nullable AiConfig ai) {
    if (ai == null) {
      // No provider yet: the route serves no model until one is added (a file edit or the admin
      // API's /ai-providers and /ai-models), and answers model_not_found meanwhile.
      ai = new AiConfig(List.of(), List.of());
    }
    if (node.isNull() || (node.isScalar() && "true".equals(node.text()))) {
      return new AiConfig.Route(ai, List.of());
    }
    if (!node.isObject()) {
      problems.expected(node, "an object, optionally with models, prompt, guard, cache");
      return null;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    List<String> models = r.strings("models");
    List<String> known = ai.models().stream().map(AiConfig.Model::name).distinct().toList();
    ConfigNode modelsNode = r.child("models");
    if (modelsNode != null && modelsNode.isList()) {
      for (ConfigNode item : modelsNode.items()) {
        String m = item.isScalar() ? item.text() : null;
        if (m != null && !known.contains(m)) {
          unknown(item, m, known, "model");
        }
      }
    }
    AiRouteOptions options = new AiRouteSection(problems).parse(r, ai);
    r.finish();
    return new AiConfig.Route(ai, models, options);
  }

  private AiConfig.@Nullable Provider provider(ConfigNode item, Map<String, ConfigNode> names) {
    if (!item.isObject()) {
      problems.expected(item, "a provider object with name, kind, base-url and keys");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String name = name(r, names, "provider");
    String kindText =
        r.oneOf(
            "kind",
            null,
            List.of("openai", "azure-openai", "anthropic", "gemini", "openai-compatible"));
    if (kindText == null && !r.has("kind")) {
      r.required("kind", "one of openai, azure-openai, anthropic, gemini, openai-compatible");
    }
    AiConfig.Kind kind = kindText == null ? null : AiConfig.Kind.of(kindText).orElse(null);
    String baseUrl = r.string("base-url", kind == null ? null : kind.defaultBaseUrl());
    if (baseUrl == null && kind != null) {
      r.required(
          "base-url",
          "the provider's base URL such as https://host/v1 (required for " + kindText + ")");
    }
    URI uri = baseUrl == null ? null : baseUrl(r, baseUrl);
    List<AiConfig.Key> keys = new ArrayList<>();
    ConfigNode keysNode = r.child("keys");
    if (keysNode != null) {
      if (!keysNode.isList()) {
        problems.expected(keysNode, "a list of key references (env:VARIABLE or file:PATH)");
      } else {
        for (ConfigNode k : keysNode.items()) {
          AiConfig.Key key = key(k);
          if (key != null) {
            keys.add(key);
          }
        }
      }
    }
    String apiKey = r.string("api-key", null);
    if (apiKey != null) {
      ConfigNode at = Objects.requireNonNull(r.child("api-key"));
      if (!at.location().source().startsWith("/ai-providers/")) {
        // Never echo the value: a key in clear belongs in the admin store, not in a file.
        problems.at(
            at,
            "a key in clear, not shown (expected: keys references in a file; api-key only"
                + " through the admin API)");
      } else if (apiKey.isBlank() || apiKey.startsWith("\u2026")) {
        problems.at(at, "a masked or empty key, not shown (expected: the provider's key)");
      } else {
        keys.add(new AiConfig.Key("api-key " + AiConfig.Key.masked(apiKey), null, null, apiKey));
      }
    }
    String apiVersion = r.string("api-version", null);
    Map<String, String> deployments = r.stringMap("deployments");
    if (kind == AiConfig.Kind.AZURE_OPENAI && apiVersion == null) {
      r.required("api-version", "Azure OpenAI's api-version, such as 2024-10-21");
    }
    if (kind != null && kind != AiConfig.Kind.AZURE_OPENAI) {
      for (String azureOnly : List.of("api-version", "deployments")) {
        if (r.has(azureOnly)) {
          r.expected(azureOnly, "no " + azureOnly + " (only for kind azure-openai)");
        }
      }
    }
    Duration connect =
        r.duration(
            "connect-timeout",
            AiConfig.DEFAULT_CONNECT_TIMEOUT,
            Duration.ofMillis(1),
            ConfigReader.MAX_DURATION);
    Duration cooldown =
        r.duration(
            "key-cooldown",
            AiConfig.DEFAULT_KEY_COOLDOWN,
            Duration.ofMillis(1),
            ConfigReader.MAX_DURATION);
    r.finish();
    if (name == null || kind == null || uri == null) {
      return null;
    }
    boolean tls = "https".equals(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new AiConfig.Provider(
        name,
        kind,
        InetSocketAddress.createUnresolved(host, port),
        tls,
        path,
        keys,
        apiVersion,
        deployments,
        connect,
        cooldown);
  }

  private @Nullable URI baseUrl(ConfigReader r, String text) {
    ConfigNode node = r.child("base-url");
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https"))
          && uri.getHost() != null
          && uri.getRawQuery() == null
          && uri.getRawFragment() == null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    if (node != null) {
      problems.expected(node, "an http:// or https:// URL with a host and no query");
    }
    return null;
  }

  private AiConfig.@Nullable Key key(ConfigNode node) {
    String text = node.isScalar() ? node.scalarText().trim() : "";
    if (text.startsWith("env:") && ENV_NAME.matcher(text.substring(4)).matches()) {
      return new AiConfig.Key(text, text.substring(4), null);
    }
    if (text.startsWith("file:") && text.length() > 5) {
      return new AiConfig.Key(text, null, baseDir.resolve(text.substring(5)).normalize());
    }
    // Never echo the value: it may be a key written in clear.
    problems.at(
        node, "a value that is not a key reference, not shown (expected: " + KEY_RULE + ")");
    return null;
  }

  private AiConfig.@Nullable Model model(
      ConfigNode item, Map<String, ConfigNode> names, Map<String, ConfigNode> providers) {
    if (!item.isObject()) {
      problems.expected(item, "a model object with name and targets");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String name = r.requiredString("name", "the model name clients send");
    ConfigNode nameNode = r.child("name");
    if (name != null && nameNode != null && names.putIfAbsent(name, nameNode) != null) {
      problems.at(nameNode, "duplicate model name \"" + name + "\"");
    }
    String strategy = r.oneOf("strategy", "ordered", List.of("ordered", "weighted"));
    Duration timeout =
        r.duration(
            "timeout", AiConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1), ConfigReader.MAX_DURATION);
    long maxRequestSize =
        r.size("max-request-size", AiConfig.DEFAULT_MAX_REQUEST_SIZE, 1, 1L << 30);
    List<AiConfig.Target> targets = new ArrayList<>();
    ConfigNode list = r.required("targets", "a list of provider targets");
    if (list != null) {
      if (!list.isList() || list.items().isEmpty()) {
        problems.expected(list, "a list of at least one target");
      } else {
        for (ConfigNode t : list.items()) {
          AiConfig.Target target = target(t, name, providers);
          if (target != null) {
            targets.add(target);
          }
        }
      }
    }
    r.finish();
    if (name == null) {
      return null;
    }
    return new AiConfig.Model(
        name,
        "weighted".equals(strategy) ? AiConfig.Strategy.WEIGHTED : AiConfig.Strategy.ORDERED,
        targets,
        timeout,
        maxRequestSize);
  }

  private AiConfig.@Nullable Target target(
      ConfigNode item, @Nullable String modelName, Map<String, ConfigNode> providers) {
    if (!item.isObject()) {
      problems.expected(item, "a target object with provider and model");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    String provider = r.requiredString("provider", "the name of a provider");
    ConfigNode providerNode = r.child("provider");
    if (provider != null && providerNode != null && !providers.containsKey(provider)) {
      unknown(providerNode, provider, new ArrayList<>(providers.keySet()), "provider");
    }
    String model = r.string("model", modelName);
    int weight = r.integer("weight", 1, 1, 1000);
    r.finish();
    return provider == null || model == null ? null : new AiConfig.Target(provider, model, weight);
  }

  private @Nullable String name(ConfigReader r, Map<String, ConfigNode> seen, String what) {
    ConfigNode node = r.required("name", "a " + what + " name");
    if (node == null) {
      return null;
    }
    if (!node.isScalar() || !SectionReaders.NAME.matcher(node.text()).matches()) {
      problems.expected(node, ConfigParser.NAME_RULE);
      return null;
    }
    if (seen.putIfAbsent(node.text(), node) != null) {
      problems.at(node, "duplicate " + what + " name \"" + node.text() + "\"");
    }
    return node.text();
  }

  private void unknown(ConfigNode node, String name, List<String> known, String what) {
    String hint = Suggestions.closest(name, known);
    problems.at(
        node,
        "unknown "
            + what
            + " \""
            + name
            + "\" (expected: "
            + (known.isEmpty()
                ? "the name of a " + what + " of the ai section; none is defined"
                : "one of " + String.join(", ", known))
            + ")"
            + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
  }
}
