package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.snapshot.ReloadResult;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Plugin#close()}: an instance is closed once, after a reload only when the last exchange of
 * its snapshot has finished, at shutdown after the exchanges in flight drained, and when its config
 * failed to start; a close that throws is logged and stops nothing.
 */
class PluginLifecycleTest {

  private final ProbeFactory probes = new ProbeFactory();
  private TestOrigin origin;
  private GatewayFixture gw;

  @BeforeEach
  void startOrigin() throws Exception {
    origin = TestOrigin.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    origin.close();
  }

  /** A route to the origin with a probe {@code id}, whose ACCESS waits for the gate if asked. */
  private String config(String id, boolean gated, String more) {
    return """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: r
            paths: [ "/" ]
            service: backend
            plugins:
              lifecycle-probe: { id: %s, gated: %s }
        %s
        runtime:
          io-threads: 1
          watch-config: false
          access-log: off
          shutdown-timeout: 5s
        """
        .formatted(origin.authority(), id, gated, more);
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(String path) {
    return gw.client()
        .sendAsync(
            HttpRequest.newBuilder(gw.uri(path)).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void closesAReplacedInstanceOnlyOnceTheExchangeItServesHasFinished() throws Exception {
    gw = GatewayFixture.start(config("one", true, ""), probes);
    Probe one = probes.get("one");
    CompletableFuture<HttpResponse<String>> inFlight = sendAsync("/hello");
    await().atMost(Duration.ofSeconds(5)).until(() -> one.accessCalls.get() == 1);

    gw.rewriteConfig(config("two", false, ""));
    assertThat(gw.gateway().reload().applied()).isTrue();
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    Probe two = probes.get("two");
    assertThat(two.accessCalls.get()).isEqualTo(1);

    Thread.sleep(300);
    assertThat(inFlight).isNotDone();
    assertThat(one.closes.get()).as("closed while its exchange is in flight").isZero();
    assertThat(one.ticker.isCancelled()).isFalse();

    probes.gate.complete(Outcome.proceed());
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> one.closes.get() == 1);
    assertThat(one.callsAfterClose).isEmpty();
    assertThat(one.phasesRun).contains("access", "log");
    assertThat(one.ticker.isCancelled()).as("background work stopped").isTrue();
    assertThat(two.closes.get()).isZero();

    gw.close();
    gw = null;
    assertThat(two.closes.get()).isEqualTo(1);
    assertThat(one.closes.get()).isEqualTo(1);
  }

  @Test
  void closesAnInstanceAtShutdownAfterTheExchangeInFlightHasDrained() throws Exception {
    gw = GatewayFixture.start(config("one", true, ""), probes);
    Probe one = probes.get("one");
    CompletableFuture<HttpResponse<String>> inFlight = sendAsync("/hello");
    await().atMost(Duration.ofSeconds(5)).until(() -> one.accessCalls.get() == 1);

    GatewayFixture closing = gw;
    gw = null;
    CompletableFuture<Void> shutdown =
        CompletableFuture.runAsync(
            () -> {
              try {
                closing.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(300);
    assertThat(shutdown).isNotDone();
    assertThat(one.closes.get()).as("closed while its exchange is in flight").isZero();

    probes.gate.complete(Outcome.proceed());
    assertThat(inFlight.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    shutdown.get(10, TimeUnit.SECONDS);
    assertThat(one.closes.get()).isEqualTo(1);
    assertThat(one.callsAfterClose).isEmpty();
    assertThat(one.ticker.isCancelled()).isTrue();
  }

  @Test
  void aCloseThatThrowsIsLoggedAndTheOtherInstancesAreStillClosed() throws Exception {
    String failing =
        """
        plugins:
          lifecycle-probe: { id: global, fail-close: true }
        """;
    gw = GatewayFixture.start(config("route", false, failing), probes);
    Probe global = probes.get("global");
    Probe route = probes.get("route");
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);

    gw.rewriteConfig(config("next", false, failing.replace("global", "global-next")));
    assertThat(gw.gateway().reload().applied()).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> route.closes.get() == 1);
    assertThat(global.closes.get()).isEqualTo(1);
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    assertThat(probes.get("next").accessCalls.get()).isEqualTo(1);

    gw.close();
    gw = null;
    assertThat(probes.get("next").closes.get()).isEqualTo(1);
    assertThat(probes.get("global-next").closes.get()).isEqualTo(1);
  }

  @Test
  void closesTheInstancesOfAConfigThatFailedToStart() throws Exception {
    gw = GatewayFixture.start(config("one", false, ""), probes);
    String key = KeyHash.of("same");
    String duplicateKeys =
        """
        plugins:
          key-auth: {}
        consumers:
          - name: alice
            credentials: { key-auth: { key: "%s" } }
          - name: bob
            credentials: { key-auth: { key: "%s" } }
        """
            .formatted(key, key);

    gw.rewriteConfig(config("never-served", false, duplicateKeys));
    ReloadResult result = gw.gateway().reload();

    assertThat(result.applied()).isFalse();
    assertThat(result.problems().render()).contains("plugin \"key-auth\" failed to start");
    assertThat(probes.get("never-served").closes.get()).isEqualTo(1);
    assertThat(probes.get("never-served").ticker.isCancelled()).isTrue();
    assertThat(probes.get("one").closes.get()).isZero();
    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  /** Makes a {@link Probe} per configured instance, kept by id. */
  static final class ProbeFactory implements PluginFactory<ProbeFactory.Config> {

    record Config(String id, boolean gated, boolean failClose) {}

    final Map<String, Probe> made = new ConcurrentHashMap<>();
    final CompletableFuture<Outcome> gate = new CompletableFuture<>();

    Probe get(String id) {
      Probe probe = made.get(id);
      assertThat(probe).as("probe " + id).isNotNull();
      return probe;
    }

    @Override
    public String name() {
      return "lifecycle-probe";
    }

    @Override
    public int priority() {
      return 500;
    }

    @Override
    public Config parse(ConfigReader config) {
      return new Config(
          config.requiredString("id", "a name"),
          config.bool("gated", false),
          config.bool("fail-close", false));
    }

    @Override
    public Plugin create(Config config, PluginContext context) {
      Probe probe = new Probe(config, config.gated() ? gate : null, context);
      made.put(config.id(), probe);
      return probe;
    }
  }

  /**
   * Runs a timer from creation to close (background work), records every phase call, and every call
   * that comes after its close.
   */
  static final class Probe implements Plugin {
    final Config config;
    final CompletableFuture<Outcome> gate;
    final ScheduledFuture<?> ticker;
    final AtomicInteger ticks = new AtomicInteger();
    final AtomicInteger accessCalls = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final List<String> phasesRun = new CopyOnWriteArrayList<>();
    final List<String> callsAfterClose = new CopyOnWriteArrayList<>();

    private record Config(String id, boolean failClose) {}

    Probe(ProbeFactory.Config config, CompletableFuture<Outcome> gate, PluginContext context) {
      this.config = new Config(config.id(), config.failClose());
      this.gate = gate;
      this.ticker =
          context
              .eventLoops()
              .next()
              .scheduleAtFixedRate(ticks::incrementAndGet, 10, 10, TimeUnit.MILLISECONDS);
    }

    private void called(String phase) {
      phasesRun.add(phase);
      if (closes.get() > 0) {
        callsAfterClose.add(phase);
      }
    }

    @Override
    public Set<Phase> phases() {
      return Set.of(Phase.ACCESS, Phase.RESPONSE, Phase.LOG);
    }

    @Override
    public Outcome access(Exchange exchange) {
      called("access");
      accessCalls.incrementAndGet();
      return gate == null ? Outcome.proceed() : Outcome.await(gate);
    }

    @Override
    public void response(Exchange exchange) {
      called("response");
    }

    @Override
    public void log(Exchange exchange) {
      called("log");
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      ticker.cancel(false);
      if (config.failClose()) {
        throw new IllegalStateException("closing " + config.id() + " failed on purpose");
      }
    }
  }
}
