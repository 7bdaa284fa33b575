package io.portico.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC servers and channels of one test, with whatever else sits between them (the gateway, an
 * origin), closed together in the reverse of the order they were added: the channel first, then the
 * gateway, then the server, so no peer goes away under one still using it.
 *
 * <p>It owns everything it starts or is given: the test closes it once, in its {@code @AfterEach}
 * (or with try-with-resources), and closes none of the parts itself. Servers and channels are shut
 * down at once ({@code shutdownNow}) and awaited up to five seconds each. Not thread-safe: add from
 * the test's thread.
 */
public final class GrpcPeers implements AutoCloseable {

  private final List<AutoCloseable> closing = new ArrayList<>();

  /** Starts a plaintext (h2c) server on an ephemeral port of 127.0.0.1 with {@code services}. */
  public Server plaintextServer(ServerServiceDefinition... services) throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
            new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create());
    for (ServerServiceDefinition service : services) {
      builder.addService(service);
    }
    return start(builder);
  }

  /** Starts the server {@code builder} describes (TLS, transport filters, limits). */
  public Server start(ServerBuilder<?> builder) throws IOException {
    Server server = builder.build().start();
    closing.add(() -> server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return server;
  }

  /** A plaintext (h2c) channel to {@code 127.0.0.1:port}. */
  public ManagedChannel plaintextChannel(int port) {
    return channel(
        Grpc.newChannelBuilderForAddress("127.0.0.1", port, InsecureChannelCredentials.create()));
  }

  /** The channel {@code builder} describes (TLS, an authority override). */
  public ManagedChannel channel(ManagedChannelBuilder<?> builder) {
    ManagedChannel channel = builder.build();
    closing.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    return channel;
  }

  /**
   * Takes {@code resource} (a gateway, an origin) to close in turn with the servers and channels.
   */
  public <T extends AutoCloseable> T add(T resource) {
    closing.add(resource);
    return resource;
  }

  /**
   * Closes everything, last added first, each even when an earlier one fails (the first failure is
   * thrown, later ones suppressed).
   */
  @Override
  public void close() throws Exception {
    List<AutoCloseable> reversed = new ArrayList<>(closing);
    Collections.reverse(reversed);
    closing.clear();
    Cleanup.close(reversed.toArray(AutoCloseable[]::new));
  }
}
