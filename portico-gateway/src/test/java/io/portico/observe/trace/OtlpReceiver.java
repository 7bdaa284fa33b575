package io.portico.observe.trace;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP traces receiver for tests: accepts {@code POST /v1/traces} with a protobuf {@code
 * ExportTraceServiceRequest}, decodes it and keeps every span with its resource attributes.
 */
final class OtlpReceiver implements AutoCloseable {

  /** A span as received, ids in lower-case hex (an absent parent is the empty string). */
  record ReceivedSpan(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      Span.SpanKind kind,
      Map<String, Object> attributes,
      Map<String, Object> resource,
      boolean error) {

    Object attr(String key) {
      return attributes.get(key);
    }
  }

  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext(
        "/v1/traces",
        exchange -> {
          requests.incrementAndGet();
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
          collect(ExportTraceServiceRequest.parseFrom(body));
          byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
          if (ok.length > 0) {
            exchange.getResponseBody().write(ok);
          }
          exchange.close();
        });
    server.start();
  }

  private void collect(ExportTraceServiceRequest request) {
    HexFormat hex = HexFormat.of();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<String, Object> resource = attributes(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          spans.add(
              new ReceivedSpan(
                  hex.formatHex(s.getTraceId().toByteArray()),
                  hex.formatHex(s.getSpanId().toByteArray()),
                  hex.formatHex(s.getParentSpanId().toByteArray()),
                  s.getName(),
                  s.getKind(),
                  attributes(s.getAttributesList()),
                  resource,
                  s.getStatus().getCode()
                      == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR));
        }
      }
    }
  }

  private static Map<String, Object> attributes(List<KeyValue> list) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : list) {
      AnyValue v = kv.getValue();
      out.put(
          kv.getKey(),
          switch (v.getValueCase()) {
            case INT_VALUE -> v.getIntValue();
            case BOOL_VALUE -> v.getBoolValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            default -> v.getStringValue();
          });
    }
    return out;
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  List<ReceivedSpan> spans() {
    return spans;
  }

  List<ReceivedSpan> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
