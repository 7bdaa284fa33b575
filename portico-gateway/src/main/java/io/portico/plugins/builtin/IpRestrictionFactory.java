package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.NetworkRules;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import io.portico.template.ClientAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ip-restriction}: refuses clients by address in ACCESS, before authentication.
 *
 * <p>The client is {@link Exchange#clientAddress()} (resolved through trusted proxies). A client in
 * {@code deny} is refused; otherwise, when {@code allow} is set, a client outside it is refused. A
 * client whose address the gateway does not know is refused. Addresses and CIDR blocks are parsed
 * as literals at load time (never resolved through DNS) into Netty {@link IpSubnetFilterRule}s.
 */
public final class IpRestrictionFactory implements PluginFactory<IpRestrictionConfig> {

  static final String ENTRY_RULE =
      "an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or 2001:db8::/32";

  @Override
  public String name() {
    return "ip-restriction";
  }

  @Override
  public int priority() {
    return 3000;
  }

  @Override
  public IpRestrictionConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    int before = problems.size(); // an empty rule set is reported only when nothing else is
    List<IpSubnetFilterRule> allow = rules(config, "allow", IpFilterRuleType.ACCEPT);
    List<IpSubnetFilterRule> deny = rules(config, "deny", IpFilterRuleType.REJECT);
    int status = config.integer("status", 403, 400, 599);
    String message = config.string("message", "Your IP address is not allowed");
    if (problems.size() == before && allow.isEmpty() && deny.isEmpty()) {
      problems.at(
          config.node(),
          "no addresses (expected: allow, deny or both, each a list of addresses or CIDR blocks)");
    }
    return new IpRestrictionConfig(allow, deny, status, message);
  }

  private static List<IpSubnetFilterRule> rules(
      ConfigReader config, String key, IpFilterRuleType type) {
    List<IpSubnetFilterRule> out = new ArrayList<>();
    for (ConfigNode node : ConfigValues.strings(config, key)) {
      IpSubnetFilterRule rule = NetworkRules.parse(node.scalarText(), type);
      if (rule == null) {
        config.problems().expected(node, ENTRY_RULE);
      } else {
        out.add(rule);
      }
    }
    return out;
  }

  @Override
  public Plugin create(IpRestrictionConfig config, PluginContext context) {
    return new IpRestrictionPlugin(config);
  }

  /** Matches the client against the blocks in order; deny is checked first. */
  private static final class IpRestrictionPlugin implements Plugin {

    private final List<IpSubnetFilterRule> allow;
    private final List<IpSubnetFilterRule> deny;
    private final HttpResponseStatus status;
    private final String message;

    IpRestrictionPlugin(IpRestrictionConfig config) {
      this.allow = config.allow();
      this.deny = config.deny();
      this.status = HttpResponseStatus.valueOf(config.status());
      this.message = config.message();
    }

    @Override
    public Set<Phase> phases() {
      return Set.of(Phase.ACCESS);
    }

    @Override
    public Outcome access(Exchange exchange) {
      InetAddress address = ClientAddresses.clientAddress(exchange);
      if (address == null) {
        return refuse();
      }
      InetSocketAddress socket = exchange.clientAddress();
      InetSocketAddress client =
          socket.getAddress() == address ? socket : new InetSocketAddress(address, 0);
      if (matchesAny(deny, client) || (!allow.isEmpty() && !matchesAny(allow, client))) {
        return refuse();
      }
      return Outcome.proceed();
    }

    private Reply refuse() {
      return Reply.problem(status, "ip-forbidden", status.reasonPhrase(), message);
    }

    private static boolean matchesAny(List<IpSubnetFilterRule> rules, InetSocketAddress client) {
      for (IpSubnetFilterRule rule : rules) {
        if (rule.matches(client)) {
          return true;
        }
      }
      return false;
    }
  }
}
