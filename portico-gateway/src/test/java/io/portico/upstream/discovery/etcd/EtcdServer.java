package io.portico.upstream.discovery.etcd;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code etcd} (Debian's {@code etcd-server}) started by a test on free loopback ports in a
 * temporary directory; stopped and started again on the same ports and data.
 */
final class EtcdServer implements AutoCloseable {

  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final HttpClient http = HttpClient.newHttpClient();
  private Process process;

  private EtcdServer(Path dir) throws IOException {
    this.dir = dir;
    this.clientPort = freePort();
    this.peerPort = freePort();
  }

  /** The etcd binary on the PATH, or null. */
  static Path binary() {
    for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(p, "etcd");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  static EtcdServer start(Path dir) throws Exception {
    EtcdServer s = new EtcdServer(dir);
    s.launch();
    return s;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String url() {
    return "http://127.0.0.1:" + clientPort;
  }

  void launch() throws Exception {
    String peer = "http://127.0.0.1:" + peerPort;
    process =
        new ProcessBuilder(
                List.of(
                    binary().toString(),
                    "--name",
                    "test",
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--listen-client-urls",
                    url(),
                    "--advertise-client-urls",
                    url(),
                    "--listen-peer-urls",
                    peer,
                    "--initial-advertise-peer-urls",
                    peer,
                    "--initial-cluster",
                    "test=" + peer))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("etcd.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url() + "/health"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("true")) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "etcd did not start: " + Files.readString(dir.resolve("etcd.log")));
  }

  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  void put(String key, String value) throws Exception {
    post("/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
  }

  void delete(String key) throws Exception {
    post("/v3/kv/deleterange", "{\"key\":\"" + b64(key) + "\"}");
  }

  private void post(String path, String body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
