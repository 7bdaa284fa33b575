package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.observe.ExchangeRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The line made on the event loop and formatted later, on a sink's thread. */
class LineFormatterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static LineFormatter formatter(List<String> fields) {
    return new LineFormatter(
        fields,
        new Redaction(
            AccessLogConfig.DEFAULT_REDACT_HEADERS, Set.of("token"), AccessLogConfig.REDACTED));
  }

  private static List<String> allFields() {
    List<String> fields = new ArrayList<>(AccessLogConfig.DEFAULT_FIELDS);
    fields.addAll(AccessLogConfig.OPTIONAL_FIELDS);
    return fields;
  }

  @Test
  void writesTheTimeAsInstantDoes() {
    LineFormatter.Scratch scratch = new LineFormatter.Scratch();
    long base = Instant.parse("2026-12-06T02:40:25Z").toEpochMilli();
    long[] offsets = {0, 1, 9, 10, 99, 100, 500, 999, 1000, 1001, 59_999, 86_400_000};
    for (long offset : offsets) {
      for (long at : new long[] {base + offset, base - offset, -offset, 253_402_300_799_000L}) {
        int n = scratch.formatTime(at);
        assertThat(new String(scratch.time, 0, n)).isEqualTo(Instant.ofEpochMilli(at).toString());
      }
    }
  }

  @Test
  void formatsOffTheLoopTheHeadersAsTheyWereWhenTheExchangeEnded() throws Exception {
    LineFormatter f = formatter(allFields());
    HttpHeaders request = new DefaultHttpHeaders().add("Authorization", "Bearer s").add("X-A", "1");
    ExchangeRecord r = Records.record("api", 200, null, "token=t&a=b", request);
    byte[] direct = f.format(r);

    LogLine line = f.line(r);
    // The exchange's headers change (or are reused) once the exchange is over.
    request.clear();
    request.add("X-Later", "2");
    r.responseHeaders().clear();
    byte[] later = CompletableFuture.supplyAsync(line::json).get();

    assertThat(new String(later, StandardCharsets.UTF_8))
        .isEqualTo(new String(direct, StandardCharsets.UTF_8));
    JsonNode json = JSON.readTree(later);
    assertThat(json.get("request_headers").get("authorization").asText())
        .isEqualTo(AccessLogConfig.REDACTED);
    assertThat(json.get("request_headers").get("x-a").asText()).isEqualTo("1");
    assertThat(json.get("response_headers").get("set-cookie").asText())
        .isEqualTo(AccessLogConfig.REDACTED);
    assertThat(json.get("query").asText()).isEqualTo("token=" + AccessLogConfig.REDACTED + "&a=b");
    assertThat(line.json()).isSameAs(later);
    assertThat(line.status()).isEqualTo(200);
    assertThat(line.error()).isFalse();
  }

  @Test
  void readsNoHeadersWhenTheLineShowsNone() throws Exception {
    LineFormatter f = formatter(AccessLogConfig.DEFAULT_FIELDS);
    HttpHeaders request = new DefaultHttpHeaders().add("User-Agent", "x");
    ExchangeRecord r = Records.record("api", 503, "upstream_connect_failed", null, request);
    LogLine line = f.line(r);
    request.clear();

    JsonNode json = JSON.readTree(line.json());
    assertThat(json.has("request_headers")).isFalse();
    assertThat(json.get("failure").asText()).isEqualTo("upstream_connect_failed");
    assertThat(line.failed()).isTrue();
    assertThat(line.error()).isTrue();
  }
}
