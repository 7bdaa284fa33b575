package io.portico.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.observe.metrics.TrafficSummary;
import java.io.IOException;
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

  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricsEndpoint() {}

  /**
   * {@code GET /metrics/summary}: the traffic per route (requests, 5xx, the request-duration
   * histogram) and per consumer, as JSON, for the console's overview. Read from the registry on the
   * admin listener's blocking thread; unlike a scrape it samples no event loop. Any admin token may
   * read it; 404 when {@code metrics.enabled} is false.
   */
  static void summary(
      ChannelHandlerContext ctx,
      @Nullable GatewayMetrics metrics,
      AdminWork blocking,
      boolean keepAlive) {
    if (metrics == null) {
      AdminHandler.send(ctx, disabled(), keepAlive);
      return;
    }
    blocking.submit(
        ctx,
        keepAlive,
        null,
        () -> AdminHandler.json(HttpResponseStatus.OK, write(metrics.summary())),
        e ->
            AdminHandler.problem(
                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "metrics-failed",
                "The metrics could not be read: " + e.getMessage()));
  }

  /**
   * {@code {"bounds": [0.001, ...], "routes": [{"route", "service", "requests", "errors",
   * "buckets": [...], "durations"}], "consumers": [{"consumer", "requests", "errors"}]}}.
   */
  static String write(TrafficSummary s) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode bounds = out.putArray("bounds");
    s.bounds().forEach(bounds::add);
    ArrayNode routes = out.putArray("routes");
    for (TrafficSummary.RouteTraffic r : s.routes()) {
      ObjectNode o = routes.addObject();
      o.put("route", r.route());
      o.put("service", r.service());
      o.put("requests", r.requests());
      o.put("errors", r.errors());
      ArrayNode buckets = o.putArray("buckets");
      r.buckets().forEach(buckets::add);
      o.put("durations", r.durations());
    }
    ArrayNode consumers = out.putArray("consumers");
    for (TrafficSummary.ConsumerTraffic c : s.consumers()) {
      ObjectNode o = consumers.addObject();
      o.put("consumer", c.consumer());
      o.put("requests", c.requests());
      o.put("errors", c.errors());
    }
    return JSON.writeValueAsString(out);
  }

  private static FullHttpResponse disabled() {
    return AdminHandler.problem(
        HttpResponseStatus.NOT_FOUND,
        "metrics-disabled",
        "Metrics are off (metrics.enabled: false).");
  }

  static void serve(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      @Nullable GatewayMetrics metrics,
      AdminWork blocking,
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
    blocking.submit(
        ctx,
        keepAlive,
        null,
        () -> {
          GatewayMetrics.Scrape scrape = metrics.scrape(accept);
          FullHttpResponse r =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1,
                  HttpResponseStatus.OK,
                  Unpooled.wrappedBuffer(scrape.body()));
          r.headers().set(HttpHeaderNames.CONTENT_TYPE, scrape.contentType());
          return r;
        },
        e ->
            AdminHandler.problem(
                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "metrics-failed",
                "The metrics could not be rendered: " + e.getMessage()));
  }
}
