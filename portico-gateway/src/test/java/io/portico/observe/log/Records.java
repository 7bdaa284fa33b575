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
    return new ExchangeRecord(
        System.currentTimeMillis(),
        "0123456789abcdef0123456789abcdef",
        "127.0.0.1",
        "GET",
        "/api/hello",
        "HTTP/1.1",
        "example.com",
        route,
        "backend",
        "127.0.0.1:9000",
        status,
        0,
        13,
        1.5,
        0.2,
        0.9,
        failure,
        1,
        "sink-test/1.0",
        List.of(),
        null,
        null,
        null,
        null,
        query,
        requestHeaders,
        new DefaultHttpHeaders().add("Set-Cookie", "sid=response-secret").add("X-Ok", "yes"),
        null);
  }

  /** A pipeline with one sink and the default fields. */
  static AccessLogPipeline pipeline(SinkConfig sink) throws Exception {
    return AccessLogPipeline.open(AccessLogConfig.of(List.of(sink)));
  }
}
