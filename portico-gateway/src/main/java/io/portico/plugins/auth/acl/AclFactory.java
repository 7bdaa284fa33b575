package io.portico.plugins.auth.acl;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.Authentication;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code acl}: allows or denies the authenticated caller ({@link Identity#KEY}) by group and
 * consumer name, after authentication (priority 1950). Without an identity the request is refused
 * with 401, since no authentication plugin established who is calling; a denied caller gets 403.
 * The anonymous consumer is matched like any other, by its name and groups.
 */
public final class AclFactory implements PluginFactory<AclConfig> {

  @Override
  public String name() {
    return "acl";
  }

  @Override
  public int priority() {
    return 1950;
  }

  @Override
  public AclConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int before = problems.size(); // an empty rule set is reported only when nothing else is
    AclConfig acl =
        new AclConfig(
            names(config, "allow-groups"),
            names(config, "deny-groups"),
            names(config, "allow-consumers"),
            names(config, "deny-consumers"));
    if (problems.size() == before
        && !acl.hasAllow()
        && acl.denyGroups().isEmpty()
        && acl.denyConsumers().isEmpty()) {
      problems.at(
          config.node(),
          "no rules (expected: allow-groups, deny-groups, allow-consumers or deny-consumers)");
    }
    return acl;
  }

  private static Set<String> names(ConfigReader config, String key) {
    return Set.copyOf(new LinkedHashSet<>(config.strings(key)));
  }

  @Override
  public Plugin create(AclConfig config, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(Phase.ACCESS);
      }

      @Override
      public Outcome access(Exchange exchange) {
        Identity identity = exchange.get(Identity.KEY);
        if (identity == null) {
          return Reply.problem(
                  HttpResponseStatus.UNAUTHORIZED,
                  "authentication-required",
                  "Unauthorized",
                  "A valid credential is required.")
              .withReason(AuthFailure.IDENTITY_MISSING.code());
        }
        return allowed(config, identity)
            ? Outcome.proceed()
            : Authentication.forbidden(AuthFailure.ACL_DENIED);
      }
    };
  }

  static boolean allowed(AclConfig config, Identity identity) {
    String consumer = identity.consumer();
    if (consumer != null && config.denyConsumers().contains(consumer)) {
      return false;
    }
    for (String group : identity.groups()) {
      if (config.denyGroups().contains(group)) {
        return false;
      }
    }
    if (!config.hasAllow()) {
      return true;
    }
    if (consumer != null && config.allowConsumers().contains(consumer)) {
      return true;
    }
    for (String group : identity.groups()) {
      if (config.allowGroups().contains(group)) {
        return true;
      }
    }
    return false;
  }
}
