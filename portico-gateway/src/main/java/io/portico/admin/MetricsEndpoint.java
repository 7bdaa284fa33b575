package io.portico.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.observe.metrics.GatewayMetrics;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /metrics}: the Prometheus text format, or OpenMetrics when {@code Accept} names {@code
 * application/openmetrics-text}. Any admin token may read it, read-only ones included; with {@code
 * metrics.public: true} no token is needed (the {@code Host} check still applies). 404 when {@code
 * metrics.enabled} is false.
 *
 * <p>The scrape samples every event loop and renders the registry, so it runs on the admin
 * listener's blocking thread; the answer is written on the channel's loop.
 */
final class MetricsEndpoint {

  private MetricsEndpoint() {}

  static void serve(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      @Nullable GatewayMetrics metrics,
      ExecutorService blocking,
      boolean keepAlive) {
    if (metrics == null) {
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND,
              "metrics-disabled",
              "Metrics are off (metrics.enabled: false)."),
          keepAlive);
      return;
    }
    String accept = req.headers().get(HttpHeaderNames.ACCEPT);
    try {
      blocking.execute(
          () -> {
            FullHttpResponse r;
            try {
              GatewayMetrics.Scrape scrape = metrics.scrape(accept);
              r =
                  new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1,
                      HttpResponseStatus.OK,
                      Unpooled.wrappedBuffer(scrape.body()));
              r.headers().set(HttpHeaderNames.CONTENT_TYPE, scrape.contentType());
            } catch (IOException | RuntimeException e) {
              r =
                  AdminHandler.problem(
                      HttpResponseStatus.INTERNAL_SERVER_ERROR,
                      "metrics-failed",
                      "The metrics could not be rendered: " + e.getMessage());
            }
            FullHttpResponse response = r;
            ctx.executor().execute(() -> AdminHandler.send(ctx, response, keepAlive));
          });
    } catch (RejectedExecutionException closing) {
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "admin-unavailable",
              "The gateway is shutting down."),
          false);
    }
  }
}
