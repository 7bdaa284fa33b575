package io.portico.upstream.discovery.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import io.portico.upstream.Endpoint;
import io.portico.upstream.discovery.Registries;
import io.portico.upstream.discovery.RegistrySource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A DNS name's A or AAAA records (with the configured port), or its SRV records (the lowest
 * priority's targets, with their ports and weights), queried on Netty's asynchronous resolver.
 *
 * <pre>
 *   query ─▶ answer records ─▶ endpoints ─▶ answer(list) ─▶ next query after the smallest TTL,
 *     │                                                      clamped to [min-ttl, max-ttl]
 *     └─▶ timeout, SERVFAIL, refused ─▶ unreachable ─▶ retry with back-off (at most min-ttl apart
 *                                                      once the back-off passes it)
 * </pre>
 *
 * <p>Records of other types in the answer (a CNAME on the way) are skipped; the records of the type
 * asked for are used whatever name they carry, the name server having followed the CNAME. NXDOMAIN
 * and an answer without records are empty answers (the {@code allow-empty} rule applies); a record
 * that does not decode (an A record that is not four bytes, an SRV record cut short) makes the
 * whole answer garbage, ignored. SRV targets are taken from the answer's additional section when it
 * holds their addresses, else resolved (A) with the same resolver.
 *
 * <p>Threading: the resolver runs on the source's own single event loop, never on one of the
 * proxy's; queries are started from the source's timer thread and their results handled on that
 * loop.
 */
final class DnsEndpointSource extends RegistrySource {

  private final DnsSettings settings;
  private final MultiThreadIoEventLoopGroup group;
  private final DnsNameResolver resolver;

  DnsEndpointSource(String service, DnsSettings settings) {
    super(
        "dns " + settings.type() + " " + settings.name() + " (" + service + ")",
        settings.allowEmpty(),
        settings.limits());
    this.settings = settings;
    this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    EventLoop loop = group.next();
    DnsNameResolverBuilder builder =
        new DnsNameResolverBuilder(loop)
            .datagramChannelType(NioDatagramChannel.class)
            .resolveCache(NoopDnsCache.INSTANCE)
            .queryTimeoutMillis(settings.timeout().toMillis())
            .recursionDesired(true);
    if (settings.servers().isEmpty()) {
      builder.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
    } else {
      builder.nameServerProvider(new SequentialDnsServerAddressStreamProvider(settings.servers()));
    }
    this.resolver = builder.build();
  }

  @Override
  protected void watch() {
    query();
  }

  private void query() {
    DnsRecordType type =
        switch (settings.type()) {
          case A -> DnsRecordType.A;
          case AAAA -> DnsRecordType.AAAA;
          case SRV -> DnsRecordType.SRV;
        };
    resolver
        .query(new DefaultDnsQuestion(settings.name(), type))
        .addListener(
            (Future<AddressedEnvelope<DnsResponse, InetSocketAddress>> f) -> {
              if (!f.isSuccess()) {
                failedQuery(String.valueOf(f.cause().getMessage()));
                return;
              }
              AddressedEnvelope<DnsResponse, InetSocketAddress> envelope = f.getNow();
              try {
                onResponse(envelope.content());
              } finally {
                envelope.release();
              }
            });
  }

  private void failedQuery(String reason) {
    unreachable(reason);
    Duration delay = retryDelay();
    schedule(this::query, delay.compareTo(settings.minTtl()) > 0 ? settings.minTtl() : delay);
  }

  private void onResponse(DnsResponse response) {
    DnsResponseCode code = response.code();
    if (code != DnsResponseCode.NOERROR && code != DnsResponseCode.NXDOMAIN) {
      failedQuery("the name server answered " + code);
      return;
    }
    long ttl = Long.MAX_VALUE;
    List<Endpoint> endpoints = new ArrayList<>();
    List<Srv> srvs = new ArrayList<>();
    try {
      for (int i = 0; i < response.count(DnsSection.ANSWER); i++) {
        DnsRecord r = response.recordAt(DnsSection.ANSWER, i);
        if (!(r instanceof DnsRawRecord raw)) {
          continue;
        }
        if (r.type() == DnsRecordType.A && settings.type() == DnsSettings.RecordType.A) {
          endpoints.add(endpoint(address(raw, 4), settings.port(), 1));
        } else if (r.type() == DnsRecordType.AAAA
            && settings.type() == DnsSettings.RecordType.AAAA) {
          endpoints.add(endpoint(address(raw, 16), settings.port(), 1));
        } else if (r.type() == DnsRecordType.SRV && settings.type() == DnsSettings.RecordType.SRV) {
          srvs.add(srv(raw));
        } else {
          continue;
        }
        ttl = Math.min(ttl, r.timeToLive());
      }
    } catch (MalformedRecord e) {
      garbage(String.valueOf(e.getMessage()));
      schedule(
          this::query,
          retryDelay().compareTo(settings.minTtl()) > 0 ? settings.minTtl() : retryDelay());
      return;
    }
    Duration next = clamp(ttl == Long.MAX_VALUE ? settings.minTtl().getSeconds() : ttl);
    if (settings.type() != DnsSettings.RecordType.SRV) {
      answer(endpoints);
      schedule(this::query, next);
      return;
    }
    Map<String, List<InetAddress>> additional = additional(response);
    resolveTargets(lowestPriority(srvs), additional, next);
  }

  /** An SRV record: priority, weight, port, target. */
  private record Srv(int priority, int weight, int port, String target) {}

  private static final class MalformedRecord extends Exception {
    MalformedRecord(String message) {
      super(message, null, false, false);
    }
  }

  private static String trimDot(String n) {
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  private static InetAddress address(DnsRawRecord raw, int length) throws MalformedRecord {
    ByteBuf content = raw.content();
    if (content.readableBytes() != length) {
      throw new MalformedRecord(
          raw.type().name()
              + " record of "
              + raw.name()
              + ": "
              + content.readableBytes()
              + " bytes (expected: "
              + length
              + ")");
    }
    byte[] bytes = new byte[length];
    content.getBytes(content.readerIndex(), bytes);
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new MalformedRecord(String.valueOf(e.getMessage()));
    }
  }

  private static Srv srv(DnsRawRecord raw) throws MalformedRecord {
    ByteBuf content = raw.content().duplicate();
    if (content.readableBytes() < 7) {
      throw new MalformedRecord("SRV record of " + raw.name() + " is cut short");
    }
    int priority = content.readUnsignedShort();
    int weight = content.readUnsignedShort();
    int port = content.readUnsignedShort();
    String target;
    try {
      target = DefaultDnsRecordDecoder.decodeName(content);
    } catch (RuntimeException e) {
      throw new MalformedRecord("SRV record of " + raw.name() + ": unreadable target");
    }
    if (port == 0 || target.isEmpty() || target.equals(".")) {
      throw new MalformedRecord(
          "SRV record of " + raw.name() + ": " + target + ":" + port + " (expected: a target)");
    }
    return new Srv(priority, weight, port, trimDot(target).toLowerCase(Locale.ROOT));
  }

  private static List<Srv> lowestPriority(List<Srv> srvs) {
    int lowest = Integer.MAX_VALUE;
    for (Srv s : srvs) {
      lowest = Math.min(lowest, s.priority());
    }
    List<Srv> out = new ArrayList<>();
    for (Srv s : srvs) {
      if (s.priority() == lowest) {
        out.add(s);
      }
    }
    return out;
  }

  private static Map<String, List<InetAddress>> additional(DnsResponse response) {
    Map<String, List<InetAddress>> out = new HashMap<>();
    for (int i = 0; i < response.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord r = response.recordAt(DnsSection.ADDITIONAL, i);
      if (r instanceof DnsRawRecord raw
          && (r.type() == DnsRecordType.A || r.type() == DnsRecordType.AAAA)) {
        try {
          InetAddress a = address(raw, r.type() == DnsRecordType.A ? 4 : 16);
          out.computeIfAbsent(trimDot(r.name()).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
              .add(a);
        } catch (MalformedRecord e) {
          // an unusable glue record: the target is resolved instead
        }
      }
    }
    return out;
  }

  /**
   * The SRV targets as endpoints: from the glue records, else resolved; published once all are
   * known. A target that does not resolve is left out; when every one fails the answer counts as a
   * failure.
   */
  private void resolveTargets(List<Srv> srvs, Map<String, List<InetAddress>> glue, Duration next) {
    List<Endpoint> endpoints = new ArrayList<>();
    List<Srv> unresolved = new ArrayList<>();
    for (Srv s : srvs) {
      List<InetAddress> addresses = glue.get(s.target());
      if (addresses == null) {
        unresolved.add(s);
      } else {
        addresses.forEach(a -> endpoints.add(endpoint(a, s.port(), s.weight(), s.target())));
      }
    }
    resolveRemaining(unresolved, 0, endpoints, next, srvs.size());
  }

  private void resolveRemaining(
      List<Srv> unresolved, int index, List<Endpoint> endpoints, Duration next, int total) {
    if (index == unresolved.size()) {
      if (endpoints.isEmpty() && total > 0) {
        failedQuery("no SRV target of " + settings.name() + " resolves");
        return;
      }
      answer(endpoints);
      schedule(this::query, next);
      return;
    }
    Srv s = unresolved.get(index);
    resolver
        .resolveAll(s.target())
        .addListener(
            (Future<List<InetAddress>> f) -> {
              if (f.isSuccess()) {
                f.getNow()
                    .forEach(a -> endpoints.add(endpoint(a, s.port(), s.weight(), s.target())));
              }
              resolveRemaining(unresolved, index + 1, endpoints, next, total);
            });
  }

  private Duration clamp(long ttlSeconds) {
    Duration ttl = Duration.ofSeconds(Math.max(0, ttlSeconds));
    if (ttl.compareTo(settings.minTtl()) < 0) {
      return settings.minTtl();
    }
    return ttl.compareTo(settings.maxTtl()) > 0 ? settings.maxTtl() : ttl;
  }

  private static Endpoint endpoint(InetAddress address, int port, int weight) {
    String host = address.getHostAddress();
    return new Endpoint(
        new InetSocketAddress(address, port),
        Registries.authority(host, port),
        Registries.clampWeight(weight));
  }

  private static Endpoint endpoint(InetAddress address, int port, int weight, String target) {
    return new Endpoint(
        new InetSocketAddress(address, port),
        Registries.authority(target, port),
        Registries.clampWeight(weight));
  }

  @Override
  protected void stopWatching() {
    resolver.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
