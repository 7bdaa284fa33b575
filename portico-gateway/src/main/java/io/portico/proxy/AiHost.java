package io.portico.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.portico.ai.AiRun;
import io.portico.ai.AiUsage;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import org.jspecify.annotations.Nullable;

/**
 * What an exchange's {@link AiRun} gets of it: the connection's allocator, pools, hooks and clock,
 * and the exchange's response path (an AI answer goes through the response phases like an
 * upstream's). Confined to the exchange's event loop.
 */
final class AiHost implements AiRun.Host {

  private final HttpExchange exchange;
  private final DownstreamHandler conn;

  AiHost(HttpExchange exchange, DownstreamHandler conn) {
    this.exchange = exchange;
    this.conn = conn;
  }

  @Override
  public ByteBufAllocator alloc() {
    return conn.alloc();
  }

  @Override
  public UpstreamPools pools() {
    return conn.pools();
  }

  @Override
  public UpstreamHooks hooks() {
    return conn.upstreamHooks();
  }

  @Override
  public long nanoTime() {
    return conn.nanoTime();
  }

  @Override
  public void onResponseHead(HttpResponse head) {
    exchange.onResponseHead(head);
  }

  @Override
  public void onResponseContent(HttpContent content) {
    exchange.onResponseContent(content);
  }

  @Override
  public void onResponseReadComplete() {
    exchange.onResponseReadComplete();
  }

  @Override
  public void onUsage(AiUsage usage) {
    exchange.set(AiUsage.KEY, usage);
  }

  @Override
  public <T> void set(ExchangeKey<T> key, T value) {
    exchange.set(key, value);
  }

  @Override
  public String requestId() {
    return exchange.requestId();
  }

  @Override
  public @Nullable String rawQuery() {
    String uri = exchange.request().uri();
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }

  @Override
  public @Nullable String consumer() {
    Identity identity = exchange.get(Identity.KEY);
    return identity == null ? null : identity.consumer();
  }

  @Override
  public HttpHeaders requestHeaders() {
    return exchange.request().headers();
  }

  @Override
  public @Nullable Identity identity() {
    return exchange.get(Identity.KEY);
  }

  @Override
  public @Nullable String routeName() {
    return exchange.routeName();
  }

  @Override
  public void execute(Runnable task) {
    conn.eventLoop().execute(task);
  }
}
