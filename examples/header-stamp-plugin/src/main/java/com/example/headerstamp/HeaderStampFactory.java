package com.example.headerstamp;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code header-stamp}: sets a header on every request sent upstream, and optionally on the
 * response; can also refuse requests that lack headers the upstream needs.
 *
 * <pre>
 * plugins:
 *   header-stamp:
 *     name: X-Gateway          # the header to set (required)
 *     value: portico           # its value (required)
 *     response: true           # also set it on the response (default false)
 *     require: [ X-Tenant ]    # answer 400 when a request lacks one of these (default none)
 * </pre>
 */
public final class HeaderStampFactory implements PluginFactory<HeaderStampFactory.Config> {

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern VALUE = Pattern.compile("[\\t\\x20-\\x7e]*");
  private static final String NAME_RULE = "a header name such as X-Gateway";

  /** The compiled config: immutable, made once per load. */
  public record Config(String name, String value, boolean response, List<String> require) {
    public Config {
      require = List.copyOf(require);
    }
  }

  @Override
  public String name() {
    return "header-stamp";
  }

  @Override
  public int priority() {
    return 700;
  }

  @Override
  public Config parse(ConfigReader config) {
    String name = config.requiredString("name", NAME_RULE);
    if (name != null && !TOKEN.matcher(name).matches()) {
      config.problems().expected(config.child("name"), NAME_RULE);
    }
    String value = config.requiredString("value", "a header value");
    if (value != null && !VALUE.matcher(value).matches()) {
      config.problems().expected(config.child("value"), "printable text on one line");
    }
    boolean response = config.bool("response", false);
    List<String> require = new ArrayList<>();
    ConfigNode list = config.child("require");
    for (ConfigNode item : list == null ? List.<ConfigNode>of() : config.list("require")) {
      if (item.isScalar() && TOKEN.matcher(item.text()).matches()) {
        require.add(item.text());
      } else {
        config.problems().expected(item, NAME_RULE);
      }
    }
    // Returned even when a problem was reported: the gateway then never uses it.
    return new Config(name, value, response, require);
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return new HeaderStamp(config);
  }

  /** The plugin: shared by every exchange, so it holds only immutable state. */
  private static final class HeaderStamp implements Plugin {

    private final Config config;
    private final Set<Phase> phases;

    /** One ready answer per required header: replies are immutable, so they are built once. */
    private final Map<String, Reply> missing = new LinkedHashMap<>();

    HeaderStamp(Config config) {
      this.config = config;
      EnumSet<Phase> phases = EnumSet.of(Phase.REWRITE);
      if (!config.require().isEmpty()) {
        phases.add(Phase.ACCESS);
      }
      if (config.response()) {
        phases.add(Phase.RESPONSE);
      }
      this.phases = Set.copyOf(phases);
      for (String header : config.require()) {
        missing.put(
            header,
            Reply.problem(
                    HttpResponseStatus.BAD_REQUEST,
                    "header-stamp-missing-header",
                    "Bad Request",
                    "The request lacks the " + header + " header.")
                .withHeader("Cache-Control", "no-store"));
      }
    }

    @Override
    public Set<Phase> phases() {
      return phases;
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
      exchange.request().headers().set(config.name(), config.value());
      return Outcome.proceed();
    }

    @Override
    public Outcome access(Exchange exchange) {
      for (Map.Entry<String, Reply> required : missing.entrySet()) {
        if (!exchange.request().headers().contains(required.getKey())) {
          return required.getValue();
        }
      }
      return Outcome.proceed();
    }

    @Override
    public void response(Exchange exchange) {
      exchange.response().headers().set(config.name(), config.value());
    }
  }
}
