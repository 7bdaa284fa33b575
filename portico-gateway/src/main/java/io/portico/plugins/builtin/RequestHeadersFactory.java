package io.portico.plugins.builtin;

import io.portico.plugins.builtin.HeaderTemplate.Source;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code request-headers}: removes, sets and adds headers of the request sent upstream, in the
 * REWRITE phase. Values may use {@code ${request_id}}, {@code ${client_ip}}, {@code ${route}},
 * {@code ${service}}, {@code ${path_param.NAME}} and {@code ${header.NAME}}.
 */
public final class RequestHeadersFactory implements PluginFactory<HeaderEdits> {

  static final Set<Source> VARIABLES =
      EnumSet.of(
          Source.REQUEST_ID,
          Source.CLIENT_IP,
          Source.ROUTE,
          Source.SERVICE,
          Source.PATH_PARAM,
          Source.HEADER);

  @Override
  public String name() {
    return "request-headers";
  }

  @Override
  public int priority() {
    return 801;
  }

  @Override
  public HeaderEdits parse(ConfigReader config) {
    return HeaderEdits.parse(config, VARIABLES);
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
