package io.portico.snapshot;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.RouteConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.plugin.PluginChain;
import io.portico.router.RequestTarget;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.util.List;
import java.util.Set;

/**
 * What the router gives a path that the strict path policy refuses ({@code limits.path-policy}): a
 * route named {@code path-policy}, with no service and no other plugin, whose only plugin answers
 * 400 with the {@code bad-path} problem naming the rule the path broke, as a request-target the
 * normalizer refuses is answered. It is not one of the snapshot's routes (the admin API does not
 * list it); the access log shows its name. Immutable.
 */
final class PathRefusal implements Plugin {

  static final String ROUTE_NAME = "path-policy";

  private final String detail;

  private PathRefusal(RequestTarget.Reason reason) {
    this.detail = "The request-target is not acceptable (expected: " + reason.rule() + ").";
  }

  /** The route that refuses a path for {@code reason}. */
  static CompiledRoute route(RequestTarget.Reason reason) {
    RouteConfig config = RouteConfig.builder(ROUTE_NAME).paths(List.of("/")).build();
    PluginChain chain =
        PluginChain.merge(List.of(new PluginChain.Entry(ROUTE_NAME, 0, new PathRefusal(reason))));
    return new CompiledRoute(config, null, chain, TimeoutsConfig.DEFAULTS, null);
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.REWRITE);
  }

  @Override
  public Outcome rewrite(Exchange exchange) {
    return Reply.problem(HttpResponseStatus.BAD_REQUEST, "bad-path", "Bad Request", detail);
  }
}
