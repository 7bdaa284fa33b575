package io.portico.upstream.discovery.dns;

import io.portico.upstream.discovery.DiscoveryLimits;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The settings of {@code discovery: { kind: dns }}.
 *
 * @param name the name queried
 * @param type which records: {@code A}, {@code AAAA} or {@code SRV}
 * @param port the port of every address ({@code A}/{@code AAAA}); 0 for {@code SRV}, whose records
 *     carry theirs
 * @param minTtl the shortest time between two queries, whatever the TTL says
 * @param maxTtl the longest time between two queries, whatever the TTL says
 * @param timeout how long one query may take
 * @param servers the name servers asked, in order; empty for the system's ({@code
 *     /etc/resolv.conf})
 * @param allowEmpty whether an answer without records (or NXDOMAIN) empties the service
 * @param limits the addresses and the number of endpoints the service accepts
 */
public record DnsSettings(
    String name,
    RecordType type,
    int port,
    Duration minTtl,
    Duration maxTtl,
    Duration timeout,
    List<InetSocketAddress> servers,
    boolean allowEmpty,
    DiscoveryLimits limits) {

  public DnsSettings {
    servers = List.copyOf(servers);
  }

  /** The record types a DNS source queries. */
  public enum RecordType {
    A,
    AAAA,
    SRV
  }
}
