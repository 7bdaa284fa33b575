package io.portico.testkit;

import io.portico.app.Gateway;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.observe.ExchangeObserver;
import io.portico.plugin.PluginRegistry;
import io.portico.snapshot.ReloadResult;
import io.portico.spi.config.Problem;
import io.portico.spi.plugin.PluginFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Portico gateway, started in-process from a YAML config, for testing a plugin end to end:
 * the same config parser, snapshot compiler, proxy and plugin phases as {@code portico run}, on a
 * real socket.
 *
 * <pre>{@code
 * try (Origin origin = Origin.start();
 *     TestGateway gateway =
 *         TestGateway.builder()
 *             .config("""
 *                 services:
 *                   - name: backend
 *                     targets: [ "${ORIGIN}" ]
 *                 routes:
 *                   - name: all
 *                     paths: [ "/" ]
 *                     service: backend
 *                     plugins:
 *                       header-stamp: { name: X-Stamp, value: tested }
 *                 """)
 *             .env("ORIGIN", origin.authority())
 *             .start()) {
 *   HttpResponse<String> response = gateway.get("/hello");
 *   assert origin.lastRequest().header("X-Stamp").equals("tested");
 * }
 * }</pre>
 *
 * <p><b>Plugins.</b> Every factory registered with {@link java.util.ServiceLoader} on the class
 * path is available (a plugin's own {@code META-INF/services} entry included), plus the factory
 * instances given to {@link Builder#plugin}, which replace a registered factory of the same class.
 *
 * <p><b>Defaults.</b> Sections the YAML leaves out are added at its end, so the line numbers of
 * problems stay those of the text: {@code listeners} (one on 127.0.0.1 and an ephemeral port),
 * {@code admin: off}, and {@code runtime} (one event loop, no access log, no file watching, a 2 s
 * shutdown timeout). {@code ${NAME}} in the text is replaced from {@link Builder#env}, never from
 * the process environment.
 *
 * <p>Not tied to a test framework: create it in a test and close it after. Thread-safe.
 */
public final class TestGateway implements AutoCloseable {

  private final Path dir;
  private final Path configFile;
  private final Gateway gateway;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private TestGateway(Path dir, Path configFile, Gateway gateway) {
    this.dir = dir;
    this.configFile = configFile;
    this.gateway = gateway;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Starts a gateway from {@code yaml} with the class path's plugins plus {@code plugins}. */
  public static TestGateway start(String yaml, PluginFactory<?>... plugins) {
    return builder().config(yaml).plugin(plugins).start();
  }

  /**
   * The problems {@code portico validate} would report for {@code yaml}, each as {@code
   * portico.yaml:<line>:<column>: <path>: <message>}; empty when the config is valid. Creates no
   * plugin and opens nothing.
   */
  public static List<String> problems(String yaml, PluginFactory<?>... plugins) {
    return builder().config(yaml).plugin(plugins).problems();
  }

  /** What a reload did: whether the new config is serving, else why not. */
  public record Reload(boolean applied, List<String> problems) {}

  /** The gateway's base URI with {@code pathAndQuery}, e.g. {@code uri("/users?page=2")}. */
  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  /** The port of the (first) listener. */
  public int port() {
    return gateway.listeners().get(0).getPort();
  }

  /** An HTTP/1.1 client; use it with {@link #uri} for requests {@link #send} does not cover. */
  public HttpClient client() {
    return client;
  }

  /** {@code GET pathAndQuery}, the body read as a string, within 10 s. */
  public HttpResponse<String> get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(uri(pathAndQuery)));
  }

  /**
   * Sends {@code request} (built on {@link #uri}), the body read as a string, within 10 s unless
   * the request sets its own timeout.
   */
  public HttpResponse<String> send(HttpRequest.Builder request) {
    HttpRequest built = request.build();
    if (built.timeout().isEmpty()) {
      built = request.timeout(Duration.ofSeconds(10)).build();
    }
    try {
      return client.send(built, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + built.uri(), e);
    }
  }

  /**
   * Replaces the config with {@code yaml} (the same defaults added, the same {@code env}) and
   * reloads it, as a file change or {@code POST /reload} would: a valid config is swapped in while
   * the exchanges in flight finish on the old one; an invalid one changes nothing.
   */
  public Reload reload(String yaml) {
    try {
      Files.writeString(configFile, complete(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ReloadResult result = gateway.reload();
    return new Reload(result.applied(), render(result.problems().list()));
  }

  /**
   * Shuts the gateway down as {@code portico} does on SIGTERM: in-flight exchanges drain, then
   * every plugin instance is closed ({@link io.portico.spi.plugin.Plugin#close()}).
   */
  @Override
  public void close() {
    try {
      gateway.close();
    } finally {
      deleteQuietly(dir);
    }
  }

  /** How to start a {@link TestGateway}. */
  public static final class Builder {
    private String yaml = "";
    private final List<PluginFactory<?>> plugins = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    private Builder() {}

    /** The config, as a {@code portico.yaml} would hold it. */
    public Builder config(String yaml) {
      this.yaml = yaml;
      return this;
    }

    /** Plugin factory instances to use besides those registered on the class path. */
    public Builder plugin(PluginFactory<?>... factories) {
      plugins.addAll(List.of(factories));
      return this;
    }

    /** A value for {@code ${name}} in the config (for example an {@link Origin}'s authority). */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /**
     * Starts the gateway.
     *
     * @throws IllegalArgumentException with every problem when the config is invalid
     * @throws UncheckedIOException when the gateway cannot bind or write its config file
     */
    public TestGateway start() {
      PluginRegistry registry = registry();
      Path dir = null;
      try {
        dir = Files.createTempDirectory("portico-testkit");
        Path file = dir.resolve("portico.yaml");
        Files.writeString(file, complete(yaml));
        Gateway gateway = Gateway.start(file, env, ExchangeObserver.NONE, registry);
        return new TestGateway(dir, file, gateway);
      } catch (Gateway.InvalidConfigException e) {
        deleteQuietly(dir);
        throw new IllegalArgumentException(
            "invalid configuration:\n" + String.join("\n", render(e.problems().list())), e);
      } catch (IOException e) {
        deleteQuietly(dir);
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        deleteQuietly(dir);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the gateway", e);
      }
    }

    /** The problems of the config, as {@link TestGateway#problems} describes. */
    public List<String> problems() {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("portico-testkit");
        ConfigResult result =
            ConfigFiles.parse(complete(yaml), "portico.yaml", dir, env, registry());
        return render(result.problems().list());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        deleteQuietly(dir);
      }
    }

    private PluginRegistry registry() {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      return PluginRegistry.load(loader != null ? loader : TestGateway.class.getClassLoader())
          .with(plugins);
    }
  }

  private static final Pattern LISTENERS = Pattern.compile("(?m)^listeners\\s*:");
  private static final Pattern ADMIN = Pattern.compile("(?m)^admin\\s*:");
  private static final Pattern RUNTIME = Pattern.compile("(?m)^runtime\\s*:");

  /** The YAML with the test defaults appended for the top-level sections it leaves out. */
  static String complete(String yaml) {
    StringBuilder out = new StringBuilder(yaml);
    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      out.append('\n');
    }
    if (!LISTENERS.matcher(yaml).find()) {
      out.append("listeners:\n  - address: 127.0.0.1:0\n");
    }
    if (!ADMIN.matcher(yaml).find()) {
      out.append("admin: off\n");
    }
    if (!RUNTIME.matcher(yaml).find()) {
      out.append(
          "runtime:\n  io-threads: 1\n  watch-config: false\n  access-log: off\n"
              + "  shutdown-timeout: 2s\n");
    }
    return out.toString();
  }

  /** Problems as {@code portico.yaml:<line>:<column>: <path>: <message>}. */
  private static List<String> render(List<Problem> problems) {
    List<String> out = new ArrayList<>();
    for (Problem p : problems) {
      String where =
          p.location().line() > 0
              ? "portico.yaml:" + p.location().line() + ":" + p.location().column() + ": "
              : "";
      out.add(where + (p.path().isEmpty() ? "" : p.path() + ": ") + p.message());
    }
    return out;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
