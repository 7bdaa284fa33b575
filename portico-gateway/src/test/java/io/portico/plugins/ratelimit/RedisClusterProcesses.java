package io.portico.plugins.ratelimit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real three-master Redis Cluster for tests: three {@code redis-server} processes with cluster
 * mode on, joined by {@code redis-cli --cluster create}, on free ports of 127.0.0.1. Nothing is
 * persisted; {@link #close()} kills the processes and deletes their directory.
 */
final class RedisClusterProcesses implements AutoCloseable {

  private final Path dir;
  private final List<Integer> ports = new ArrayList<>();
  private final List<Process> servers = new ArrayList<>();

  private RedisClusterProcesses(Path dir) {
    this.dir = dir;
  }

  /** Whether {@code redis-server} and {@code redis-cli} are on the PATH. */
  static boolean installed() {
    return onPath("redis-server") && onPath("redis-cli");
  }

  /** Starts three masters, creates the cluster and waits until it reports {@code ok}. */
  static RedisClusterProcesses start() throws Exception {
    RedisClusterProcesses cluster =
        new RedisClusterProcesses(Files.createTempDirectory("portico-redis-cluster"));
    try {
      for (int i = 0; i < 3; i++) {
        cluster.startServer();
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (int port : cluster.ports) {
        create.add("127.0.0.1:" + port);
      }
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      String out = run(create);
      if (!out.contains("All 16384 slots covered")) {
        throw new IllegalStateException("cluster create failed: " + out);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (int port : cluster.ports) {
        while (!cluster.cli(port, "cluster", "info").contains("cluster_state:ok")) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("cluster not ok on port " + port);
          }
          Thread.sleep(100);
        }
      }
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** The seed URL of the cluster: {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,...}. */
  String url() {
    return "redis-cluster://"
        + ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
  }

  List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Runs {@code redis-cli -p port args...} and returns its output. */
  String cli(int port, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    return run(command);
  }

  /** How many keys the master on {@code port} holds. */
  long keys(int port) throws IOException, InterruptedException {
    return Long.parseLong(cli(port, "dbsize").trim());
  }

  private void startServer() throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      if (!free(port) || !free(port + 10_000)) {
        continue;
      }
      Process p =
          new ProcessBuilder(
                  "redis-server",
                  "--port",
                  Integer.toString(port),
                  "--bind",
                  "127.0.0.1",
                  "--cluster-enabled",
                  "yes",
                  "--cluster-config-file",
                  dir.resolve("nodes-" + port + ".conf").toString(),
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--daemonize",
                  "no",
                  "--dir",
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("server-" + port + ".log").toFile())
              .start();
      servers.add(p);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (p.isAlive() && System.nanoTime() < deadline) {
        if (cli(port, "ping").contains("PONG")) {
          ports.add(port);
          return;
        }
        Thread.sleep(50);
      }
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      servers.remove(p);
    }
    throw new IllegalStateException("could not start redis-server in cluster mode");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    return out;
  }

  private static boolean onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, name))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws Exception {
    for (Process p : servers) {
      p.destroy();
    }
    for (Process p : servers) {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
