package io.portico.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.portal.Portal;
import io.portico.portal.PortalData.Application;
import io.portico.portal.PortalData.State;
import io.portico.portal.PortalData.Subscription;
import io.portico.spi.plugin.QuotaReporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /portal/api/applications/{id}/usage}: what the application's consumer did since the
 * gateway started, read from the gateway's own per-consumer series ({@code metrics.per-consumer}) —
 * requests by status class, latency percentiles from the duration histogram's buckets, AI tokens
 * and cost — and the use of each plan quota of its approved subscriptions, asked of the {@code
 * quota} plugins. Called off the event loop: it waits up to two seconds for the quotas' Redis.
 */
final class PortalUsage {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SERIES =
      Pattern.compile("^([a-z_]+)\\{([^}]*)}\\s+([0-9.eE+-]+|\\+Inf|NaN)\\s*$");
  private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PortalUsage() {}

  static FullHttpResponse usage(Application app, Portal portal, AdminApi api) throws IOException {
    ObjectNode out = JSON.createObjectNode();
    out.put("application", app.id());
    out.put("consumer", app.consumer());
    quotas(out.putArray("quotas"), app, portal, api);
    GatewayMetrics metrics = api.metrics();
    if (metrics == null || !api.snapshot().config().metrics().perConsumer()) {
      out.put("available", false);
      out.put(
          "reason",
          "Usage needs per-consumer metrics: metrics.enabled and metrics.per-consumer: true.");
      return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
    }
    String text = new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
    long requests = 0;
    long clientErrors = 0;
    long serverErrors = 0;
    ObjectNode byStatus = JSON.createObjectNode();
    TreeMap<Double, Double> buckets = new TreeMap<>();
    Map<String, Long> tokens = new HashMap<>();
    double cost = 0;
    for (String line : text.split("\n")) {
      Matcher m = SERIES.matcher(line);
      if (!m.matches() || !m.group(1).startsWith("portico_consumer_")) {
        continue;
      }
      Map<String, String> labels = labels(m.group(2));
      if (!app.consumer().equals(labels.get("consumer"))) {
        continue;
      }
      double v = Double.parseDouble(m.group(3));
      switch (m.group(1)) {
        case "portico_consumer_requests_total" -> {
          String status = labels.getOrDefault("status", "");
          requests += (long) v;
          byStatus.put(status, byStatus.path(status).asLong(0) + (long) v);
          if (status.startsWith("4")) {
            clientErrors += (long) v;
          } else if (status.startsWith("5")) {
            serverErrors += (long) v;
          }
        }
        case "portico_consumer_request_duration_seconds_bucket" -> {
          String le = labels.getOrDefault("le", "");
          buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), v);
        }
        case "portico_consumer_ai_tokens_total" ->
            tokens.merge(labels.getOrDefault("type", ""), (long) v, Long::sum);
        case "portico_consumer_ai_cost_total" -> cost += v;
        default -> {}
      }
    }
    out.put("available", true);
    out.put("requests", requests);
    out.put("client_errors", clientErrors);
    out.put("server_errors", serverErrors);
    out.set("by_status", byStatus);
    ObjectNode latency = out.putObject("latency_ms");
    latency.put("p50", percentile(buckets, 0.50));
    latency.put("p99", percentile(buckets, 0.99));
    if (!tokens.isEmpty()) {
      ObjectNode ai = out.putObject("ai");
      ai.put("prompt_tokens", tokens.getOrDefault("prompt", 0L));
      ai.put("completion_tokens", tokens.getOrDefault("completion", 0L));
      ai.put("cost", cost);
    }
    out.put("since", "the gateway's start");
    return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
  }

  /**
   * The upper bound, in milliseconds, of the histogram bucket the {@code q} quantile falls in
   * (buckets are cumulative, keyed by their upper bound in seconds); -1 without requests, and the
   * largest finite bound when the quantile is beyond it.
   */
  static double percentile(TreeMap<Double, Double> buckets, double q) {
    Double total = buckets.get(Double.POSITIVE_INFINITY);
    if (total == null || total <= 0) {
      return -1;
    }
    double rank = q * total;
    double lastFinite = 0;
    for (Map.Entry<Double, Double> b : buckets.entrySet()) {
      if (b.getKey().isInfinite()) {
        break;
      }
      lastFinite = b.getKey();
      if (b.getValue() >= rank) {
        return b.getKey() * 1000;
      }
    }
    return lastFinite * 1000;
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    Matcher m = LABEL.matcher(text);
    while (m.find()) {
      labels.put(m.group(1), m.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    return labels;
  }

  /** The quota use of each approved subscription whose route counts one for its plan. */
  private static void quotas(ArrayNode into, Application app, Portal portal, AdminApi api) {
    Map<String, QuotaReporter> reporters = QuotasEndpoint.reporters(api.snapshot());
    for (Subscription s : portal.document().subs()) {
      if (!s.application().equals(app.id()) || s.state() != State.APPROVED) {
        continue;
      }
      QuotaReporter r = reporters.get("portal-" + s.api());
      boolean planHasQuota =
          portal.document().plans().stream()
              .anyMatch(p -> p.name().equals(s.plan()) && p.quota() > 0);
      if (r == null || !planHasQuota) {
        continue;
      }
      ObjectNode n = into.addObject();
      n.put("api", s.api());
      n.put("plan", s.plan());
      try {
        QuotaReporter.Usage u =
            r.usage(app.consumer()).toCompletableFuture().get(2, TimeUnit.SECONDS);
        n.put("period", u.period());
        n.put("window", u.window().equals("rolling") ? "rolling" : "calendar");
        n.put("limit", u.limit());
        n.put("used", u.used());
        n.put("remaining", Math.max(0, u.limit() - u.used()));
        n.put("resets", u.resets().toString());
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        n.put("error", "the quota store cannot be read");
      }
    }
  }
}
