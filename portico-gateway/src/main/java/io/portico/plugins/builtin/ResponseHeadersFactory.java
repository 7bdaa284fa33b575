package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpResponse;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.template.Scope;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code response-headers}: removes, sets and adds headers of the response sent to the client, in
 * the RESPONSE phase, whether the response came from the upstream, a plugin or a gateway error.
 * Values are templates of the {@link Scope#RESPONSE} scope (docs/templates.md): the request's
 * variables, {@code ${status}} and {@code ${response_header.NAME}}.
 */
public final class ResponseHeadersFactory implements PluginFactory<HeaderEdits> {

  @Override
  public String name() {
    return "response-headers";
  }

  @Override
  public int priority() {
    return 800;
  }

  @Override
  public @Nullable HeaderEdits parse(ConfigReader config) {
    return HeaderEdits.parse(config, Scope.RESPONSE);
  }

  @Override
  public Plugin create(HeaderEdits config, PluginContext context) {
    return new ResponseHeadersPlugin(config);
  }

  private static final class ResponseHeadersPlugin implements Plugin {

    private final HeaderEdits edits;

    ResponseHeadersPlugin(HeaderEdits edits) {
      this.edits = edits;
    }

    @Override
    public Set<Phase> phases() {
      return Set.of(Phase.RESPONSE);
    }

    @Override
    public void response(Exchange exchange) {
      HttpResponse response = exchange.response();
      if (response != null) {
        edits.apply(response.headers(), exchange);
      }
    }
  }
}
