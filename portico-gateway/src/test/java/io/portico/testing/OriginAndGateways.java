package io.portico.testing;

import io.portico.observe.ExchangeObserver;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * A {@link TestOrigin} and the gateways started in front of it, for {@link OriginPerTest} and
 * {@link OriginPerClass}, which say when the origin starts and when all of them close.
 *
 * <p>Ownership: the gateways started through {@link #start} belong to it; {@link #closeAll} closes
 * them, newest first, and then the origin, all of them even when one fails to close. A gateway
 * closed earlier by its test is closed again, which {@link io.portico.app.Gateway#close()} allows.
 */
abstract class OriginAndGateways {

  private final String when;
  private TestOrigin origin;
  private final Deque<GatewayFixture> gateways = new ArrayDeque<>();

  /** {@code when}: the span the origin runs, for the error of a call outside it. */
  OriginAndGateways(String when) {
    this.when = when;
  }

  final void startOrigin() throws Exception {
    origin = TestOrigin.start();
  }

  final void closeAll() throws Exception {
    AutoCloseable[] all = new AutoCloseable[gateways.size() + 1];
    int i = 0;
    for (GatewayFixture gw : gateways) {
      all[i++] = gw;
    }
    all[i] = origin;
    gateways.clear();
    origin = null;
    Cleanup.close(all);
  }

  /** The running origin. */
  public TestOrigin origin() {
    if (origin == null) {
      throw new IllegalStateException("the origin runs only " + when);
    }
    return origin;
  }

  /** Starts a gateway from {@code yaml} ({@link GatewayFixture#start(String)}), closed after. */
  public GatewayFixture start(String yaml) throws Exception {
    return keep(GatewayFixture.start(yaml));
  }

  /** {@link GatewayFixture#start(String, Map)}: with {@code env} as its environment. */
  public GatewayFixture start(String yaml, Map<String, String> env) throws Exception {
    return keep(GatewayFixture.start(yaml, env));
  }

  /** {@link GatewayFixture#start(String, ExchangeObserver)}: reporting to {@code observer}. */
  public GatewayFixture start(String yaml, ExchangeObserver observer) throws Exception {
    return keep(GatewayFixture.start(yaml, observer));
  }

  /** {@link GatewayFixture#start(String, PluginFactory[])}: with {@code plugins} added. */
  public GatewayFixture start(String yaml, PluginFactory<?>... plugins) throws Exception {
    return keep(GatewayFixture.start(yaml, plugins));
  }

  private GatewayFixture keep(GatewayFixture gw) {
    gateways.push(gw);
    return gw;
  }
}
