package io.portico.observe.metrics;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP metrics receiver for tests: accepts {@code POST /v1/metrics} with a protobuf {@code
 * ExportMetricsServiceRequest}, decodes it and keeps every metric with its resource attributes.
 */
final class OtlpMetricsReceiver implements AutoCloseable {

  /** A metric as received, with the resource it came with and the request's headers. */
  record Received(Metric metric, Map<String, String> resource, Map<String, String> headers) {}

  private final HttpServer server;
  private final List<Received> metrics = new CopyOnWriteArrayList<>();

  OtlpMetricsReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext(
        "/v1/metrics",
        exchange -> {
          byte[] body;
          try (InputStream in =
              "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                  ? new GZIPInputStream(exchange.getRequestBody())
                  : exchange.getRequestBody()) {
            body = in.readAllBytes();
          }
          boolean protobuf =
              "application/x-protobuf"
                  .equals(exchange.getRequestHeaders().getFirst("Content-Type"));
          if (!exchange.getRequestMethod().equals("POST") || !protobuf) {
            exchange.sendResponseHeaders(415, -1);
            exchange.close();
            return;
          }
          Map<String, String> headers = new LinkedHashMap<>();
          exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
          ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(body);
          for (ResourceMetrics rm : request.getResourceMetricsList()) {
            Map<String, String> resource = new LinkedHashMap<>();
            for (KeyValue kv : rm.getResource().getAttributesList()) {
              resource.put(kv.getKey(), kv.getValue().getStringValue());
            }
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
              for (Metric m : sm.getMetricsList()) {
                metrics.add(new Received(m, resource, headers));
              }
            }
          }
          byte[] ok = ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
          if (ok.length > 0) {
            exchange.getResponseBody().write(ok);
          }
          exchange.close();
        });
    server.start();
  }

  /** The receiver's base URL; the gateway adds {@code /v1/metrics}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Received> metrics() {
    return metrics;
  }

  /** The newest of every metric named {@code name}, or null. */
  Received last(String name) {
    Received found = null;
    for (Received r : metrics) {
      if (r.metric().getName().equals(name)) {
        found = r;
      }
    }
    return found;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
