package io.portico.plugin;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A test plugin that reads the whole request body through {@link Exchange#requestBody} and reports
 * what it saw in request headers (so the origin receives them): {@code X-Body-Length}, {@code
 * X-Body-Sha256}, {@code X-Body-On-Loop} (the stage completed on the event loop) and {@code
 * X-Body-View} ({@code read-only} when the view refused a write and a release). Config:
 *
 * <ul>
 *   <li>{@code max-bytes} (size, default 1MiB): the limit it asks for;
 *   <li>{@code phase} ({@code access} or {@code rewrite});
 *   <li>{@code reads} (1 or 2): with 2 it asks again once the body arrived and reports in {@code
 *       X-Body-Second-Read} whether the second stage was complete at once with the same bytes;
 *   <li>{@code await} (default true): false asks for the body and proceeds without waiting;
 *   <li>{@code delay-ms} (default 0): waits that long (on the event loop) before it asks, so that
 *       the first chunks arrive, and are held, before the body is asked for;
 *   <li>{@code reply} (default false): answers 200 itself with {@code <length> <sha256>}.
 * </ul>
 */
public final class TestBodyPluginFactory implements PluginFactory<TestBodyPluginFactory.Config> {

  /** The plugin's config. */
  public record Config(
      long maxBytes, Phase phase, int reads, boolean await, long delayMs, boolean reply) {}

  @Override
  public String name() {
    return "test-body";
  }

  @Override
  public int priority() {
    return 1400;
  }

  @Override
  public Config parse(ConfigReader config) {
    return new Config(
        config.size("max-bytes", 1 << 20),
        config.oneOf("phase", "access", List.of("access", "rewrite")).equals("rewrite")
            ? Phase.REWRITE
            : Phase.ACCESS,
        config.integer("reads", 1, 1, 2),
        config.bool("await", true),
        config.longValue("delay-ms", 0, 0, 10_000),
        config.bool("reply", false));
  }

  @Override
  public Plugin create(Config config, PluginContext context) {
    return new Plugin() {
      @Override
      public Set<Phase> phases() {
        return Set.of(config.phase());
      }

      @Override
      public Outcome rewrite(Exchange exchange) {
        return read(exchange);
      }

      @Override
      public Outcome access(Exchange exchange) {
        return read(exchange);
      }

      private Outcome read(Exchange exchange) {
        if (config.delayMs() > 0) {
          CompletableFuture<Void> delay = new CompletableFuture<>();
          exchange
              .eventLoop()
              .schedule(() -> delay.complete(null), config.delayMs(), TimeUnit.MILLISECONDS);
          return Outcome.await(
              delay
                  .thenCompose(ignored -> exchange.requestBody(config.maxBytes()))
                  .thenApply(b -> seen(exchange, b)));
        }
        CompletionStage<ByteBuf> body = exchange.requestBody(config.maxBytes());
        if (!config.await()) {
          return Outcome.proceed();
        }
        return Outcome.await(body.thenApply(b -> seen(exchange, b)));
      }

      private Outcome seen(Exchange exchange, ByteBuf body) {
        HttpHeaders h = exchange.request().headers();
        String sha = sha256(body);
        h.set("x-body-length", body.readableBytes());
        h.set("x-body-sha256", sha);
        h.set("x-body-on-loop", exchange.eventLoop().inEventLoop());
        h.set("x-body-view", readOnly(body) ? "read-only" : "writable");
        if (config.reads() == 2) {
          body.skipBytes(body.readableBytes());
          CompletableFuture<ByteBuf> again =
              exchange.requestBody(config.maxBytes()).toCompletableFuture();
          ByteBuf second = again.getNow(null);
          h.set(
              "x-body-second-read",
              second != null && second != body && sha256(second).equals(sha)
                  ? "same"
                  : "different");
        }
        if (config.reply()) {
          return Reply.text(HttpResponseStatus.OK, body.readableBytes() + " " + sha);
        }
        return Outcome.proceed();
      }
    };
  }

  /** Whether a release and a write are both refused. */
  private static boolean readOnly(ByteBuf body) {
    if (!body.isReadOnly() || body.release()) {
      return false;
    }
    try {
      body.setByte(0, 0);
      return false;
    } catch (ReadOnlyBufferException e) {
      return true;
    }
  }

  /** The hex SHA-256 of the readable bytes, without moving the reader index. */
  static String sha256(ByteBuf body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (ByteBuffer part : body.nioBuffers()) {
        md.update(part);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
