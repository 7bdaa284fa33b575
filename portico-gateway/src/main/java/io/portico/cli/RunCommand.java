package io.portico.cli;

import io.portico.app.AddressUnavailableException;
import io.portico.app.Gateway;
import io.portico.app.Version;
import io.portico.config.GatewayConfig;
import io.portico.config.NoRoutesWarning;
import io.portico.observe.ExchangeObserver;
import io.portico.spi.config.ConfigNode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portico run [-c FILE | FILE]}: starts the gateway, prints where it listens, reloads on
 * file change, {@code SIGHUP} or {@code POST /reload}, and shuts down gracefully on {@code SIGTERM}
 * / Ctrl-C, exiting 0 once the requests in flight are drained.
 */
@Command(
    name = "run",
    description = "Run the gateway.",
    footer = {
      "",
      "Exit codes: 0 stopped cleanly (SIGTERM or Ctrl-C, after draining), 1 invalid config or an"
          + " address that cannot be bound, 64 wrong usage. See docs/cli.md."
    })
final class RunCommand implements Callable<Integer> {

  @Mixin ConfigFileOption file = new ConfigFileOption();

  @Mixin HelpOption help = new HelpOption();

  @Spec @Nullable CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Path config = file.file(spec);
    String missing = file.missingDefault();
    if (missing != null) {
      System.err.println(missing);
      System.err.println(config + ": not started");
      return 1;
    }
    long started = System.nanoTime();
    Gateway gateway;
    try {
      gateway = Gateway.start(config, System.getenv(), ExchangeObserver.NONE);
    } catch (Gateway.InvalidConfigException e) {
      System.err.print(e.problems().render());
      System.err.println(config + ": invalid configuration, not started");
      return 1;
    } catch (AddressUnavailableException e) {
      ConfigNode node = ConfigPlaces.find(config, System.getenv(), e.configPath());
      String where = node == null ? config.toString() : node.location().toString();
      String unset =
          node == null
              ? "; " + e.configPath() + " is not set in the file: this is its default"
              : "";
      System.err.println(where + ": " + e.configPath() + ": " + e.describe() + unset);
      System.err.println(config + ": cannot listen on an address it gives, not started");
      return 1;
    } catch (java.io.IOException e) {
      System.err.println(config + ": cannot start, not started: " + e.getMessage());
      return 1;
    }
    GatewayConfig loaded = gateway.snapshot().config();
    ReloadTriggers triggers = ReloadTriggers.install(gateway, loaded.runtime().watchConfig());
    printBanner(gateway, loaded, (System.nanoTime() - started) / 1_000_000);

    // SIGTERM and Ctrl-C drain and exit 0; the shutdown hook drains when the JVM ends otherwise.
    CountDownLatch stopRequested = new CountDownLatch(1);
    Signals.handle("TERM", stopRequested::countDown);
    Signals.handle("INT", stopRequested::countDown);
    Thread hook = new Thread(() -> shutDown(triggers, gateway), "portico-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopRequested.await();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      return 0; // the JVM is already shutting down, and the hook drains
    }
    shutDown(triggers, gateway);
    return 0;
  }

  private static void shutDown(ReloadTriggers triggers, Gateway gateway) {
    System.err.println("portico: shutting down (draining in-flight requests)");
    triggers.close();
    gateway.close();
  }

  private static void printBanner(Gateway gateway, GatewayConfig config, long startMillis) {
    StringBuilder b = new StringBuilder();
    b.append("portico ")
        .append(Version.current())
        .append(" started in ")
        .append(startMillis)
        .append(" ms")
        .append(" (config ")
        .append(gateway.configFile())
        .append(", version ")
        .append(config.version())
        .append(")\n");
    String base = null;
    for (int i = 0; i < gateway.listeners().size(); i++) {
      String url = TryLine.scheme(config, i) + hostText(gateway.listeners().get(i));
      b.append("  listening on   ").append(url).append('\n');
      if (base == null || (base.startsWith("https:") && url.startsWith("http:"))) {
        base = url; // the try line prefers a plain listener: curl needs no CA for it
      }
    }
    if (gateway.adminAddress() != null) {
      b.append("  admin API on   http://")
          .append(hostText(gateway.adminAddress()))
          .append("  (GET /status, /ready, /config, /routes, /openapi.json; POST /reload)\n");
    }
    if (gateway.consoleUrl() != null) {
      b.append("  console on     ").append(gateway.consoleUrl()).append('\n');
      if (gateway.portalUrl() != null) {
        b.append("  portal on      ").append(gateway.portalUrl()).append('\n');
      }
      String setup = gateway.setupLink();
      if (setup != null) {
        b.append("  first start:   no account yet; open this one-time link to create the admin")
            .append(" account (valid ")
            .append(
                io.portico.spi.config.ConfigReader.formatDuration(
                    config.admin().console().setupLinkTtl()))
            .append(", or set PORTICO_ADMIN_PASSWORD):\n                 ")
            .append(setup)
            .append('\n');
      }
    }
    if (base != null) {
      b.append("  try:           ").append(TryLine.of(config, base)).append('\n');
    }
    String warning = NoRoutesWarning.of(config, gateway.configFile());
    if (warning != null) {
      b.append("  ").append(warning.replace("\n", "\n  ")).append('\n');
    }
    System.out.print(b);
    System.out.flush();
  }

  private static String hostText(InetSocketAddress a) {
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
      host = "127.0.0.1";
    }
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
