package io.portico.upstream;

import io.portico.config.StaticTargets;
import io.portico.config.TargetConfig;
import io.portico.spi.config.ConfigReader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code discovery: static}, the default: the endpoints are the service's {@code targets}, host
 * names resolved when the source is created (at start-up, and on a reload that changes the
 * targets).
 */
public final class StaticEndpointSourceKind implements EndpointSourceKind<StaticTargets> {

  public static final String NAME = "static";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public StaticTargets parse(ConfigReader service) {
    return new StaticTargets(TargetConfig.readAll(service));
  }

  @Override
  public EndpointSource create(StaticTargets settings, Context context) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (TargetConfig t : settings.targets()) {
      InetSocketAddress address = new InetSocketAddress(t.host(), t.port());
      if (address.isUnresolved()) {
        context.problem(
            "targets",
            "\""
                + t.authority()
                + "\" (expected: a resolvable host name; "
                + t.host()
                + " does not resolve from this host: check its spelling, or write discovery: {"
                + " kind: dns, name: "
                + t.host()
                + ", port: "
                + t.port()
                + " } for a name that resolves later or changes)");
        continue;
      }
      endpoints.add(new Endpoint(address, t.authority(), t.weight()));
    }
    return new StaticEndpointSource(endpoints);
  }
}
