package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.FileSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the pipeline logs: field selection, redaction, sampling, routes turned off, fan-out. */
class AccessLogPipelineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AccessLogPipeline pipeline;

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private AccessLogConfig config(List<String> fields, double ratio, boolean keepErrors) {
    return new AccessLogConfig(
        List.of(FileSink.simple("file", dir.resolve("access.log"))),
        fields,
        ratio,
        keepErrors,
        AccessLogConfig.DEFAULT_REDACT_HEADERS,
        Set.of("apikey", "token", "secret param"));
  }

  private List<JsonNode> lines(long expected) throws Exception {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> pipeline.sinks().get(0).delivered() == expected);
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("access.log"))) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void writesOnlyTheSelectedFieldsInTheirOrder() throws Exception {
    pipeline = AccessLogPipeline.open(config(List.of("status", "route", "query"), 1.0, true));

    pipeline.onExchangeComplete(Records.record("api", 201, null, "lang=en", null));

    JsonNode line = lines(1).get(0);
    List<String> names = new ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("status", "route", "query");
    assertThat(line.get("query").asText()).isEqualTo("lang=en");
  }

  @Test
  void redactsSecretHeadersAndQueryParametersByName() throws Exception {
    List<String> fields = new ArrayList<>(AccessLogConfig.DEFAULT_FIELDS);
    fields.addAll(AccessLogConfig.OPTIONAL_FIELDS);
    pipeline = AccessLogPipeline.open(config(fields, 1.0, true));
    DefaultHttpHeaders headers = new DefaultHttpHeaders();
    headers.add("Authorization", "Bearer secret-1");
    headers.add("Cookie", "sid=secret-2");
    headers.add("X-API-Key", "secret-3");
    headers.add("Accept", "application/json");
    headers.add("X-Multi", "a");
    headers.add("X-Multi", "b");

    pipeline.onExchangeComplete(
        Records.record(
            "api",
            200,
            null,
            "lang=en&APIKEY=secret-4&token=secret-5&secret%20param=secret-6&flag",
            headers));

    JsonNode line = lines(1).get(0);
    String text = line.toString();
    assertThat(text).doesNotContain("secret-");
    assertThat(line.get("query").asText())
        .isEqualTo("lang=en&APIKEY=[REDACTED]&token=[REDACTED]&secret%20param=[REDACTED]&flag");
    JsonNode request = line.get("request_headers");
    assertThat(request.get("authorization").asText()).isEqualTo("[REDACTED]");
    assertThat(request.get("cookie").asText()).isEqualTo("[REDACTED]");
    assertThat(request.get("x-api-key").asText()).isEqualTo("[REDACTED]");
    assertThat(request.get("accept").asText()).isEqualTo("application/json");
    assertThat(request.get("x-multi")).hasSize(2);
    JsonNode response = line.get("response_headers");
    assertThat(response.get("set-cookie").asText()).isEqualTo("[REDACTED]");
    assertThat(response.get("x-ok").asText()).isEqualTo("yes");
  }

  @Test
  void leavesQueryAndHeadersOutByDefault() throws Exception {
    pipeline = AccessLogPipeline.open(config(AccessLogConfig.DEFAULT_FIELDS, 1.0, true));
    io.netty.handler.codec.http.HttpHeaders headers =
        new DefaultHttpHeaders().add("Accept", "text/plain");

    pipeline.onExchangeComplete(Records.record("api", 200, null, "lang=en", headers));

    JsonNode line = lines(1).get(0);
    assertThat(line.has("query")).isFalse();
    assertThat(line.has("request_headers")).isFalse();
    assertThat(line.has("response_headers")).isFalse();
    assertThat(line.get("user_agent").asText()).isEqualTo("sink-test/1.0");
  }

  @Test
  void samplesSuccessesAndKeepsEveryError() throws Exception {
    pipeline = AccessLogPipeline.open(config(AccessLogConfig.DEFAULT_FIELDS, 0.25, true));

    for (int i = 0; i < 4000; i++) {
      pipeline.onExchangeComplete(Records.record("api", 200));
    }
    for (int i = 0; i < 50; i++) {
      pipeline.onExchangeComplete(Records.record("api", 500));
      pipeline.onExchangeComplete(Records.record("api", 0, "client_closed", null, null));
    }
    // Closing delivers everything queued, the batch under way included, and stops the thread; a
    // count read while a batch is still being written would miss it.
    SinkStats stats = pipeline.sinks().get(0);
    pipeline.close();
    pipeline = null;
    assertThat(stats.queued()).isZero();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("access.log"))) {
      lines.add(JSON.readTree(line));
    }
    assertThat((long) lines.size()).isEqualTo(stats.delivered());

    long ok = lines.stream().filter(l -> l.get("status").asInt() == 200).count();
    long errors = lines.size() - ok;
    // 4000 draws at 25 %: 1000 expected, standard deviation about 27.
    assertThat(ok).isBetween(800L, 1200L);
    assertThat(errors).isEqualTo(100);
  }

  @Test
  void samplesErrorsTooWhenKeepErrorsIsOff() throws Exception {
    pipeline = AccessLogPipeline.open(config(AccessLogConfig.DEFAULT_FIELDS, 0.0, false));

    for (int i = 0; i < 100; i++) {
      pipeline.onExchangeComplete(Records.record("api", 500));
    }
    pipeline.onExchangeComplete(Records.record("api", 200));

    assertThat(pipeline.sinks().get(0).queued()).isZero();
    pipeline.close();
    assertThat(pipeline.sinks().get(0).delivered()).isZero();
    assertThat(Files.readAllLines(dir.resolve("access.log"))).isEmpty();
  }

  @Test
  void skipsRoutesWhoseLoggingIsOff() throws Exception {
    pipeline = AccessLogPipeline.open(config(AccessLogConfig.DEFAULT_FIELDS, 1.0, true));
    pipeline.routesOff(Set.of("health"));

    pipeline.onExchangeComplete(Records.record("health", 200));
    pipeline.onExchangeComplete(Records.record("api", 200));
    pipeline.onExchangeComplete(Records.record("health", 500));

    assertThat(lines(1))
        .singleElement()
        .satisfies(l -> assertThat(l.get("route").asText()).isEqualTo("api"));
  }

  @Test
  void sendsEveryLineToEverySink() throws Exception {
    pipeline =
        AccessLogPipeline.open(
            AccessLogConfig.of(
                List.of(
                    FileSink.simple("one", dir.resolve("one.log")),
                    FileSink.simple("two", dir.resolve("two.log")))));

    for (int i = 0; i < 20; i++) {
      pipeline.onExchangeComplete(Records.record("api", 200));
    }

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> pipeline.sinks().stream().allMatch(s -> s.delivered() == 20));
    pipeline.close();
    assertThat(Files.readAllLines(dir.resolve("one.log"))).hasSize(20);
    assertThat(Files.readAllLines(dir.resolve("two.log")))
        .isEqualTo(Files.readAllLines(dir.resolve("one.log")));
    assertThat(pipeline.sinks()).extracting(SinkStats::name).containsExactly("one", "two");
  }
}
