package io.portico.testing;

import io.portico.app.Gateway;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.plugin.PluginFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Starts a real gateway in-process from YAML text (listener on an ephemeral port) and offers an
 * HTTP client pointed at it, and at its admin listener when the YAML enables one. Every finished
 * exchange is recorded for assertions.
 */
public final class GatewayFixture implements AutoCloseable {

  private final Path dir;
  private final Path configFile;
  private final Gateway gateway;
  private final List<ExchangeRecord> records = new CopyOnWriteArrayList<>();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  private GatewayFixture(String yaml, Map<String, String> env, ExchangeObserver extra)
      throws Exception {
    this(yaml, env, extra, PluginRegistry.load(GatewayFixture.class.getClassLoader()));
  }

  private GatewayFixture(
      String yaml, Map<String, String> env, ExchangeObserver extra, PluginRegistry registry)
      throws Exception {
    dir = Files.createTempDirectory("portico-test");
    configFile = dir.resolve("portico.yaml");
    Files.writeString(configFile, yaml);
    ExchangeObserver observer =
        new ExchangeObserver() {
          @Override
          public void onExchangeComplete(ExchangeRecord record) {
            records.add(record);
            extra.onExchangeComplete(record);
          }

          /** As the test's observer says; {@link #records} read the headers without one. */
          @Override
          public boolean readsRequestHeaders() {
            return extra == ExchangeObserver.NONE || extra.readsRequestHeaders();
          }

          /** As the test's observer says; {@link #records} read the id without one. */
          @Override
          public boolean readsRequestId() {
            return extra == ExchangeObserver.NONE || extra.readsRequestId();
          }
        };
    gateway = Gateway.start(configFile, env, observer, registry);
  }

  /**
   * Starts a gateway. The YAML should not declare listeners or admin: a listener on 127.0.0.1:0 and
   * {@code admin: off} are added unless the text has its own.
   */
  public static GatewayFixture start(String yaml) throws Exception {
    return start(yaml, Map.of());
  }

  public static GatewayFixture start(String yaml, Map<String, String> env) throws Exception {
    return new GatewayFixture(complete(yaml), env, ExchangeObserver.NONE);
  }

  /** Starts a gateway that also reports every finished exchange to {@code observer}. */
  public static GatewayFixture start(String yaml, ExchangeObserver observer) throws Exception {
    return new GatewayFixture(complete(yaml), Map.of(), observer);
  }

  /** Starts a gateway with the class path's plugins plus {@code plugins} (test instances). */
  public static GatewayFixture start(String yaml, PluginFactory<?>... plugins) throws Exception {
    return new GatewayFixture(
        complete(yaml),
        Map.of(),
        ExchangeObserver.NONE,
        PluginRegistry.load(GatewayFixture.class.getClassLoader()).with(List.of(plugins)));
  }

  /**
   * The YAML of the plainest proxy: one service, {@code backend}, at {@code originAuthority}
   * ({@code host:port}), and one route, {@code all}, that sends every path to it. Tests may append
   * sections of their own.
   */
  public static String proxyAllTo(String originAuthority) {
    return """
        services:
          - name: backend
            targets: [ "%s" ]
        routes:
          - name: all
            paths: [ "/" ]
            service: backend
        """
        .formatted(originAuthority);
  }

  /** The YAML with the test defaults added for the sections it leaves out. */
  static String complete(String yaml) {
    String full = yaml;
    if (!yaml.contains("listeners:")) {
      full = "listeners:\n  - address: 127.0.0.1:0\n" + full;
    }
    if (!yaml.contains("admin:")) {
      full = "admin: off\n" + full;
    }
    if (!yaml.contains("runtime:")) {
      full =
          full
              + "\nruntime:\n  io-threads: 1\n  watch-config: false\n  access-log: off\n  shutdown-timeout: 1s\n";
    }
    return full;
  }

  public Gateway gateway() {
    return gateway;
  }

  public InetSocketAddress address() {
    return gateway.listeners().get(0);
  }

  public int port() {
    return address().getPort();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
  }

  public HttpClient client() {
    return client;
  }

  public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public RawClient raw() throws IOException {
    return new RawClient(address());
  }

  /** The admin listener's URI for {@code path}; the YAML must enable the admin listener. */
  public URI adminUri(String path) {
    InetSocketAddress admin = gateway.adminAddress();
    if (admin == null) {
      throw new IllegalStateException("the admin listener is off");
    }
    return URI.create("http://127.0.0.1:" + admin.getPort() + path);
  }

  /** {@code GET} on the admin listener. */
  public HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(adminUri(path)));
  }

  /** {@code POST} with no body on the admin listener. */
  public HttpResponse<String> adminPost(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(adminUri(path)).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /**
   * A request to the admin listener: {@code method} on {@code path}, with {@code body} as JSON
   * ({@code Content-Type: application/json}) or no body when it is null, and {@code headers} as
   * pairs of name and value. Waits up to 20 seconds for the answer.
   */
  public HttpResponse<String> adminCall(
      String method, String path, @Nullable String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(adminUri(path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** {@link #adminCall} authorized by the admin API {@code token} ({@code Bearer}). */
  public HttpResponse<String> adminAs(
      String token, String method, String path, @Nullable String body)
      throws IOException, InterruptedException {
    return adminCall(method, path, body, "Authorization", "Bearer " + token);
  }

  /**
   * Creates a console account through the admin API, authorized by the admin API {@code token};
   * fails unless the API answers 201. {@code name} and {@code password} must need no JSON escaping.
   */
  public void createAccount(String token, String name, String role, String password)
      throws IOException, InterruptedException {
    HttpResponse<String> created =
        send(
            HttpRequest.newBuilder(adminUri("/accounts"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"%s\",\"role\":\"%s\",\"password\":\"%s\"}"
                            .formatted(name, role, password))));
    if (created.statusCode() != 201) {
      throw new IllegalStateException(
          "creating account " + name + ": " + created.statusCode() + " " + created.body());
    }
  }

  public List<ExchangeRecord> records() {
    return List.copyOf(records);
  }

  /**
   * Replaces the config file (for reload tests), adding the same defaults as {@link #start} so that
   * listeners and runtime settings stay as they were.
   */
  public void rewriteConfig(String yaml) throws IOException {
    Files.writeString(configFile, complete(yaml));
  }

  /** Replaces the config file with exactly {@code text}. */
  public void rewriteConfigVerbatim(String text) throws IOException {
    Files.writeString(configFile, text);
  }

  public Path configFile() {
    return configFile;
  }

  @Override
  public void close() throws IOException {
    gateway.close();
  }
}
