package io.portico.upstream.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.portico.config.HealthConfig;
import io.portico.upstream.Endpoint;
import io.portico.upstream.StaticEndpointSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The first probes of a service's endpoints are spread over the jitter rather than sent at once:
 * twenty TCP listeners record when each is first probed.
 */
class ProbeJitterTest {

  private static final int ENDPOINTS = 20;

  private final List<ServerSocket> servers = new ArrayList<>();
  private final ConcurrentLinkedQueue<Socket> accepted = new ConcurrentLinkedQueue<>();
  private final ConcurrentHashMap<Integer, Long> firstProbeAt = new ConcurrentHashMap<>();
  private EventLoopGroup loops;

  @BeforeEach
  void start() throws IOException {
    loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    for (int i = 0; i < ENDPOINTS; i++) {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      servers.add(server);
      Thread t =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    firstProbeAt.putIfAbsent(server.getLocalPort(), System.nanoTime());
                    accepted.add(s);
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (ServerSocket s : servers) {
      s.close();
    }
    for (Socket s : accepted) {
      s.close();
    }
    loops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  /** The time between the earliest and the latest first probe, after all twenty came. */
  private Duration firstProbeSpread(Duration jitter) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (ServerSocket s : servers) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", s.getLocalPort());
      endpoints.add(new Endpoint(address, "127.0.0.1:" + s.getLocalPort(), 1));
    }
    HealthConfig.Active config =
        new HealthConfig.Active(
            HealthConfig.ProbeType.TCP,
            null,
            "GET",
            null,
            Duration.ofSeconds(10),
            jitter,
            Duration.ofSeconds(1),
            HealthConfig.Active.DEFAULT_STATUSES,
            2,
            3,
            "");
    try (ActiveChecker checker =
        new ActiveChecker("spread", config, new StaticEndpointSource(endpoints), null, loops)) {
      checker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> firstProbeAt.size() == ENDPOINTS);
    }
    long first = firstProbeAt.values().stream().mapToLong(Long::longValue).min().orElseThrow();
    long last = firstProbeAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    return Duration.ofNanos(last - first);
  }

  @Test
  void theFirstProbesOfManyEndpointsAreSpreadOverTheJitter() {
    Duration spread = firstProbeSpread(Duration.ofSeconds(2));

    // Twenty uniform draws in [0, 2s) span less than 1s with a probability below 1e-4.
    assertThat(spread).isGreaterThan(Duration.ofSeconds(1));
    assertThat(spread).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void withoutJitterTheFirstProbesGoAtOnce() {
    Duration spread = firstProbeSpread(Duration.ZERO);

    assertThat(spread).isLessThan(Duration.ofMillis(500));
  }
}
