package io.portico.plugin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Reply;
import io.portico.testing.OnePhasePlugin;

/** A test plugin that answers every request with what the exchange says of its transport. */
public final class TestSchemePluginFactory extends OnePhasePlugin {

  public TestSchemePluginFactory() {
    super(
        "test-scheme",
        300,
        Phase.ACCESS,
        exchange -> Reply.text(HttpResponseStatus.OK, "secure=" + exchange.secure()),
        exchange -> {});
  }
}
