package io.portico.upstream.discovery;

import io.portico.upstream.Endpoint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Applies a service's {@link DiscoveryLimits} to a registry's answer: refuses the addresses the
 * {@link AddressFilter} refuses, then keeps at most {@code max-endpoints} of the rest.
 *
 * <p>Over the cap, the endpoints kept are the first in the order of their addresses (bytes, then
 * port, then authority), so the same answer keeps the same endpoints whatever order the registry
 * lists them in; the kept ones stay in the registry's order. Immutable and thread-safe.
 */
public final class EndpointAdmission {

  /** How many refused addresses a note names before it only counts them. */
  static final int NAMED = 3;

  private static final Comparator<Endpoint> STABLE =
      Comparator.<Endpoint, byte[]>comparing(e -> bytes(e.address()), Arrays::compareUnsigned)
          .thenComparingInt(e -> e.address().getPort())
          .thenComparing(Endpoint::authority);

  private final int maxEndpoints;
  private final AddressFilter filter;

  /**
   * What an answer became.
   *
   * @param endpoints the endpoints kept
   * @param note what was left out and why, in words; null when nothing was
   */
  public record Admitted(List<Endpoint> endpoints, @Nullable String note) {}

  public EndpointAdmission(DiscoveryLimits limits) {
    this.maxEndpoints = limits.maxEndpoints();
    this.filter = AddressFilter.of(limits);
  }

  /** The endpoints of {@code answer} the limits let through, and a note of the others. */
  public Admitted admit(List<Endpoint> answer) {
    List<Endpoint> accepted = new ArrayList<>(answer.size());
    List<String> refused = new ArrayList<>();
    int refusedCount = 0;
    for (Endpoint e : answer) {
      String why = filter.refusal(e);
      if (why == null) {
        accepted.add(e);
      } else {
        if (refusedCount++ < NAMED) {
          refused.add(e.authority() + describeAddress(e) + " (" + why + ")");
        }
      }
    }
    int over = accepted.size() - maxEndpoints;
    if (over > 0) {
      List<Endpoint> sorted = new ArrayList<>(accepted);
      sorted.sort(STABLE);
      Set<Endpoint> kept = new HashSet<>(sorted.subList(0, maxEndpoints));
      List<Endpoint> capped = new ArrayList<>(maxEndpoints);
      for (Endpoint e : accepted) {
        if (kept.remove(e)) {
          capped.add(e);
        }
      }
      accepted = capped;
    }
    if (refusedCount == 0 && over <= 0) {
      return new Admitted(answer, null);
    }
    StringBuilder note = new StringBuilder();
    if (refusedCount > 0) {
      note.append(refusedCount)
          .append(" of ")
          .append(answer.size())
          .append(" endpoint(s) refused by the address filter: ")
          .append(String.join(", ", refused));
      if (refusedCount > NAMED) {
        note.append(", and ").append(refusedCount - NAMED).append(" more");
      }
    }
    if (over > 0) {
      if (note.length() > 0) {
        note.append("; ");
      }
      note.append(over)
          .append(" endpoint(s) over max-endpoints (")
          .append(maxEndpoints)
          .append(") left out");
    }
    return new Admitted(List.copyOf(accepted), note.toString());
  }

  /** {@code " = 10.0.0.1"} when the authority is a name, empty when it is the address. */
  private static String describeAddress(Endpoint e) {
    java.net.InetAddress address = e.address().getAddress();
    if (address == null) {
      return "";
    }
    String ip = io.netty.util.NetUtil.toAddressString(address);
    return e.authority().startsWith(ip) || e.authority().startsWith("[" + ip) ? "" : " = " + ip;
  }

  private static byte[] bytes(InetSocketAddress address) {
    java.net.InetAddress ip = address.getAddress();
    return ip == null ? new byte[0] : ip.getAddress();
  }
}
