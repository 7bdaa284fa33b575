package io.portico.examples.library;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link LibraryService} on loopback over h2c (gRPC without TLS), the server of docs/grpc.md's
 * transcoding walk-through:
 *
 * <pre>
 *   java -jar examples/grpc-library/target/grpc-library.jar [port]     # default 50051
 * </pre>
 *
 * <p>Prints one line once it listens and runs until it is stopped (Ctrl-C, SIGTERM), when calls in
 * flight get up to five seconds to finish.
 */
public final class LibraryServer implements AutoCloseable {

  /** The port examples/grpc-transcode.yaml sends to. */
  public static final int DEFAULT_PORT = 50051;

  private final Server server;

  private LibraryServer(Server server) {
    this.server = server;
  }

  /** Starts a server of a fresh {@link LibraryService} on 127.0.0.1:{@code port} (0: any free). */
  public static LibraryServer start(int port) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", port), InsecureServerCredentials.create())
            .addService(new LibraryService().definition())
            .build()
            .start();
    return new LibraryServer(server);
  }

  /** The port it listens on. */
  public int port() {
    return server.getPort();
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls and waits up to five seconds for those in flight, then ends them. */
  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  public static void main(String[] args) throws Exception {
    int port = DEFAULT_PORT;
    if (args.length > 1 || (args.length == 1 && !args[0].matches("\\d{1,5}"))) {
      System.err.println("usage: java -jar grpc-library.jar [port]   (default " + port + ")");
      System.exit(2);
    }
    if (args.length == 1) {
      port = Integer.parseInt(args[0]);
    }
    LibraryServer library = start(port);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    library.close();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    System.out.println(
        LibraryService.SERVICE + " listening on 127.0.0.1:" + library.port() + " (h2c)");
    library.awaitTermination();
  }
}
