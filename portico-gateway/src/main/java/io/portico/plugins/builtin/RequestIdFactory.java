package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code request-id}: exposes the exchange's request id beyond what the gateway does by itself.
 *
 * <p>The gateway assigns every exchange an id ({@link Exchange#requestId()}) and forwards it
 * upstream in {@code X-Request-Id}. This plugin also copies it into another request header in
 * REWRITE ({@code header}) and sets it on the response to the client in RESPONSE ({@code
 * echo-downstream}). It takes part only in the phases its config needs.
 */
public final class RequestIdFactory implements PluginFactory<RequestIdConfig> {

  @Override
  public String name() {
    return "request-id";
  }

  @Override
  public int priority() {
    return 3100;
  }

  @Override
  public RequestIdConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    AsciiString header = null;
    ConfigNode headerNode = config.child("header");
    String name = config.string("header", null);
    if (name != null
        && headerNode != null
        && ConfigValues.checkHeaderName(name, headerNode, problems)) {
      header = HeaderRules.X_REQUEST_ID.contentEqualsIgnoreCase(name) ? null : AsciiString.of(name);
    }
    boolean echo = config.bool("echo-downstream", true);
    return new RequestIdConfig(header, echo, header == null ? HeaderRules.X_REQUEST_ID : header);
  }

  @Override
  public Plugin create(RequestIdConfig config, PluginContext context) {
    return new RequestIdPlugin(config);
  }

  private static final class RequestIdPlugin implements Plugin {

    private final RequestIdConfig config;
    private final Set<Phase> phases;

    RequestIdPlugin(RequestIdConfig config) {
      this.config = config;
      EnumSet<Phase> phases = EnumSet.noneOf(Phase.class);
      if (config.header() != null) {
        phases.add(Phase.REWRITE);
      }
      if (config.echoDownstream()) {
        phases.add(Phase.RESPONSE);
      }
      this.phases = Set.copyOf(phases);
    }

    @Override
    public Set<Phase> phases() {
      return phases;
    }

    @Override
    public Outcome rewrite(Exchange exchange) {
      exchange.request().headers().set(config.header(), exchange.requestId());
      return Outcome.proceed();
    }

    @Override
    public void response(Exchange exchange) {
      HttpResponse response = exchange.response();
      if (response != null) {
        response.headers().set(config.echoHeader(), exchange.requestId());
      }
    }
  }
}
