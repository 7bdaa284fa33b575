package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.plugin.PluginChain;
import io.portico.snapshot.CompiledRoute;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.QuotaReporter;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /quotas/{consumer}}: a consumer's usage of every quota of the active snapshot, from
 * the plugins that implement the SPI's {@link QuotaReporter}.
 */
final class QuotasEndpoint {

  private static final JsonFactory JSON = new JsonFactory();

  private QuotasEndpoint() {}

  /**
   * {@code GET /quotas/{consumer}}: asks every quota of the active snapshot (one instance per quota
   * name) for the consumer's usage and answers when all have replied, on the channel's loop.
   */
  static void serve(ChannelHandlerContext ctx, AdminApi api, String consumer, boolean keepAlive) {
    Map<String, QuotaReporter> reporters = reporters(api.snapshot());
    List<CompletableFuture<Object>> answers = new ArrayList<>();
    for (QuotaReporter r : reporters.values()) {
      answers.add(
          r.usage(consumer)
              .toCompletableFuture()
              .handle((usage, error) -> usage != null ? usage : r.quotaName()));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, error) -> {
              FullHttpResponse response;
              try {
                response = AdminHandler.json(HttpResponseStatus.OK, quotaJson(consumer, answers));
              } catch (IOException e) {
                response =
                    AdminHandler.problem(
                        HttpResponseStatus.INTERNAL_SERVER_ERROR,
                        "admin-error",
                        java.util.Objects.toString(
                            e.getMessage(), "the answer could not be written"));
              }
              FullHttpResponse r = response;
              ctx.executor().execute(() -> AdminHandler.send(ctx, r, keepAlive));
            });
  }

  /** The quotas of a snapshot, one instance per quota name. */
  static Map<String, QuotaReporter> reporters(Snapshot s) {
    Map<String, QuotaReporter> reporters = new TreeMap<>();
    collectReporters(s.globalChain(), reporters);
    for (CompiledRoute route : s.routes().values()) {
      collectReporters(route.chain(), reporters);
    }
    return reporters;
  }

  private static void collectReporters(PluginChain chain, Map<String, QuotaReporter> into) {
    for (PluginChain.Entry e : chain.entries()) {
      if (e.plugin() instanceof QuotaReporter q) {
        into.putIfAbsent(q.quotaName(), q);
      }
    }
  }

  private static String quotaJson(String consumer, List<CompletableFuture<Object>> answers)
      throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("consumer", consumer);
      g.writeArrayFieldStart("quotas");
      for (CompletableFuture<Object> a : answers) {
        Object answer = a.join();
        g.writeStartObject();
        if (answer instanceof QuotaReporter.Usage u) {
          g.writeStringField("quota", u.quota());
          g.writeStringField("subject", u.subject());
          g.writeStringField("period", u.period());
          g.writeStringField("window", u.window());
          g.writeNumberField("limit", u.limit());
          g.writeNumberField("used", u.used());
          g.writeNumberField("remaining", Math.max(0, u.limit() - u.used()));
          g.writeStringField("resets", u.resets().toString());
        } else {
          g.writeStringField("quota", String.valueOf(answer));
          g.writeStringField("error", "the quota store cannot be read");
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }
}
