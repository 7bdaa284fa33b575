package io.portico.plugins.builtin;

import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.template.Scope;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code request-headers}: removes, sets and adds headers of the request sent upstream, in the
 * REWRITE phase. Values are templates of the {@link Scope#REWRITE} scope (docs/templates.md): the
 * request head's variables, such as {@code ${header.NAME}} or {@code ${path_param.NAME}}; the
 * caller's identity is not known yet (request-transformer, in ACCESS, can write it).
 */
public final class RequestHeadersFactory implements PluginFactory<HeaderEdits> {

  @Override
  public String name() {
    return "request-headers";
  }

  @Override
  public int priority() {
    return 801;
  }

  @Override
  public @Nullable HeaderEdits parse(ConfigReader config) {
    return HeaderEdits.parse(config, Scope.REWRITE);
  }

  @Override
  public Plugin create(HeaderEdits config, PluginContext context) {
    return new RequestHeadersPlugin(config);
  }

  private static final class RequestHeadersPlugin implements Plugin {

    private final HeaderEdits edits;

    RequestHeadersPlugin(HeaderEdits edits) {
      this.edits = edits;
    }

    @Override
    public Set<Phase> phases() {
      return Set.of(Phase.REWRITE);
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
      edits.apply(exchange.request().headers(), exchange);
      return Outcome.proceed();
    }
  }
}
