package io.portico.upstream.discovery.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A name server for tests on Netty's DNS codec: answers A and SRV questions from records the test
 * sets, NXDOMAIN for names it has none of; can be stopped and started again on the same port, and
 * made to answer garbage (an A record of three bytes).
 */
final class TestDnsServer implements AutoCloseable {

  /** What the server answers for one name and type. */
  record Answer(List<DnsRecord> answers, List<DnsRecord> additional) {}

  private final MultiThreadIoEventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Map<String, Answer> zone = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private volatile boolean garbage;
  private volatile Channel channel;
  private int port;

  static TestDnsServer start() throws InterruptedException {
    TestDnsServer s = new TestDnsServer();
    s.bind(0);
    return s;
  }

  private void bind(int p) throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(
                new ChannelInitializer<DatagramChannel>() {
                  @Override
                  protected void initChannel(DatagramChannel ch) {
                    ch.pipeline()
                        .addLast(new DatagramDnsQueryDecoder())
                        .addLast(new DatagramDnsResponseEncoder())
                        .addLast(new Responder());
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", p))
            .sync()
            .channel();
    port = ((InetSocketAddress) channel.localAddress()).getPort();
  }

  String address() {
    return "127.0.0.1:" + port;
  }

  int queries() {
    return queries.get();
  }

  /** The A records of {@code name}: 127.0.0.1 with {@code ttl}. */
  void a(String name, long ttl, String... ips) {
    List<DnsRecord> records =
        java.util.Arrays.stream(ips).map(ip -> (DnsRecord) aRecord(name, ttl, ip)).toList();
    zone.put(key(name, DnsRecordType.A), new Answer(records, List.of()));
  }

  /** SRV records of {@code name}, one per port on {@code target}, whose A record goes as glue. */
  void srv(String name, long ttl, String target, int... ports) {
    List<DnsRecord> records = new java.util.ArrayList<>();
    for (int p : ports) {
      records.add(srvRecord(name, ttl, 1, 10, p, target));
    }
    zone.put(
        key(name, DnsRecordType.SRV),
        new Answer(records, List.of(aRecord(target, ttl, "127.0.0.1"))));
  }

  void put(String name, DnsRecordType type, Answer answer) {
    zone.put(key(name, type), answer);
  }

  void remove(String name, DnsRecordType type) {
    zone.remove(key(name, type));
  }

  void garbage(boolean on) {
    garbage = on;
  }

  void stop() throws InterruptedException {
    channel.close().sync();
  }

  void restart() throws InterruptedException {
    bind(port);
  }

  static DefaultDnsRawRecord aRecord(String name, long ttl, String ip) {
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
    return new DefaultDnsRawRecord(name, DnsRecordType.A, ttl, Unpooled.wrappedBuffer(bytes));
  }

  static DefaultDnsRawRecord srvRecord(
      String name, long ttl, int priority, int weight, int port, String target) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (int v : new int[] {priority, weight, port}) {
      b.write(v >> 8);
      b.write(v & 0xff);
    }
    for (String label : target.split("\\.")) {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      b.write(l.length);
      b.writeBytes(l);
    }
    b.write(0);
    return new DefaultDnsRawRecord(
        name, DnsRecordType.SRV, ttl, Unpooled.wrappedBuffer(b.toByteArray()));
  }

  private static String key(String name, DnsRecordType type) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    return n.toLowerCase(java.util.Locale.ROOT) + " " + type.name();
  }

  private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      queries.incrementAndGet();
      DnsRecord question = query.recordAt(DnsSection.QUESTION);
      DatagramDnsResponse response =
          new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.setRecursionAvailable(true);
      response.addRecord(DnsSection.QUESTION, question);
      Answer answer = zone.get(key(question.name(), question.type()));
      if (garbage) {
        response.addRecord(
            DnsSection.ANSWER,
            new DefaultDnsRawRecord(
                question.name(), question.type(), 1, Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));
      } else if (answer == null) {
        response.setCode(DnsResponseCode.NXDOMAIN);
      } else {
        answer
            .answers()
            .forEach(r -> response.addRecord(DnsSection.ANSWER, copy(r, question.name())));
        answer.additional().forEach(r -> response.addRecord(DnsSection.ADDITIONAL, copy(r, null)));
      }
      ctx.writeAndFlush(response);
    }
  }

  private static DnsRecord copy(DnsRecord r, String name) {
    DefaultDnsRawRecord raw = (DefaultDnsRawRecord) r;
    return new DefaultDnsRawRecord(
        name == null ? raw.name() : name,
        raw.type(),
        raw.timeToLive(),
        raw.content().retainedDuplicate());
  }

  @Override
  public void close() throws InterruptedException {
    channel.close().sync();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
  }
}
