package io.portico.plugin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.util.Set;

/** A test plugin that answers every request with what the exchange says of its transport. */
public final class TestSchemePluginFactory implements PluginFactory<Boolean> {

  @Override
  public String name() {
    return "test-scheme";
  }

  @Override
  public int priority() {
    return 300;
  }

  @Override
  public Boolean parse(ConfigReader config) {
    config.finish();
    return Boolean.TRUE;
  }

  @Override
  public Plugin create(Boolean config, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(Phase.ACCESS);
      }

      @Override
      public Outcome access(Exchange exchange) {
        return Reply.text(HttpResponseStatus.OK, "secure=" + exchange.secure());
      }
    };
  }
}
