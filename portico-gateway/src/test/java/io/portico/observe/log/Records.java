package io.portico.observe.log;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.SinkConfig;
import io.portico.observe.ExchangeRecord;
import java.util.List;

/** Exchange records and pipelines for the sink tests. */
final class Records {

  private Records() {}

  static ExchangeRecord record(String route, int status) {
    return record(route, status, null, null, new DefaultHttpHeaders());
  }

  static ExchangeRecord record(
      String route, int status, String failure, String query, HttpHeaders requestHeaders) {
    return ExchangeRecord.builder()
        .startEpochMillis(System.currentTimeMillis())
        .requestId("0123456789abcdef0123456789abcdef")
        .clientAddress("127.0.0.1")
        .method("GET")
        .path("/api/hello")
        .protocol("HTTP/1.1")
        .host("example.com")
        .route(route)
        .service("backend")
        .upstream("127.0.0.1:9000")
        .status(status)
        .responseBytes(13)
        .durationMillis(1.5)
        .upstreamConnectMillis(0.2)
        .upstreamResponseMillis(0.9)
        .failure(failure)
        .attempts(1)
        .userAgent("sink-test/1.0")
        .query(query)
        .requestHeaders(requestHeaders)
        .responseHeaders(
            new DefaultHttpHeaders().add("Set-Cookie", "sid=response-secret").add("X-Ok", "yes"))
        .build();
  }

  /** A pipeline with one sink and the default fields. */
  static AccessLogPipeline pipeline(SinkConfig sink) throws Exception {
    return AccessLogPipeline.open(AccessLogConfig.of(List.of(sink)));
  }
}
