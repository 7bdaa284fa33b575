package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.FileSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tail's readers in memory: filters, the sinks' redaction, bounded queues that drop. */
class LogTailTest {

  @TempDir Path dir;

  private LogTail tail() {
    List<String> fields = new ArrayList<>(AccessLogConfig.DEFAULT_FIELDS);
    fields.add("request_headers");
    return new LogTail(
        new AccessLogConfig(
            List.of(FileSink.simple("file", dir.resolve("access.log"))),
            fields,
            0.0,
            false,
            AccessLogConfig.DEFAULT_REDACT_HEADERS,
            Set.of("apikey")));
  }

  @Test
  void readerGetsMatchingLinesRedactedAsTheSinksWriteThemWhateverTheSampling() {
    LogTail tail = tail();
    LogTail.Reader errors = tail.open(new LogTail.Filter("orders", 500, 599, null));
    LogTail.Reader all = tail.open(LogTail.Filter.ALL);
    tail.onExchangeComplete(
        Records.record(
            "orders", 503, null, "apikey=s3cret", new DefaultHttpHeaders().add("Apikey", "k-1")));
    tail.onExchangeComplete(Records.record("orders", 200));
    tail.onExchangeComplete(Records.record("users", 502));

    List<byte[]> lines = errors.drain(10);
    assertThat(lines).hasSize(1);
    String line = new String(lines.get(0), StandardCharsets.UTF_8);
    assertThat(line).contains("\"status\":503").contains("\"apikey\":\"[REDACTED]\"");
    assertThat(line).doesNotContain("k-1");
    assertThat(all.drain(10)).hasSize(3);
  }

  @Test
  void wantsRecordsOnlyWhileAReaderIsOpen() {
    LogTail tail = tail();
    assertThat(tail.wantsRecords()).isFalse();
    LogTail.Reader r = tail.open(LogTail.Filter.ALL);
    assertThat(tail.wantsRecords()).isTrue();
    r.close();
    assertThat(tail.wantsRecords()).isFalse();
  }

  @Test
  void fullQueueDropsAndCountsAndClosedReaderGetsNothing() {
    LogTail tail = tail();
    LogTail.Reader slow = tail.open(LogTail.Filter.ALL);
    for (int i = 0; i < LogTail.CAPACITY + 5; i++) {
      tail.onExchangeComplete(Records.record("orders", 200));
    }
    assertThat(slow.takeDropped()).isEqualTo(5);
    assertThat(slow.takeDropped()).isZero();
    assertThat(slow.drain(LogTail.CAPACITY * 2)).hasSize(LogTail.CAPACITY);
    slow.close();
    assertThat(tail.readers()).isZero();
    tail.onExchangeComplete(Records.record("orders", 200));
    assertThat(slow.drain(10)).isEmpty();
  }

  @Test
  void routesOffAreLeftOutAndReadersAreCapped() {
    LogTail tail = tail();
    tail.routesOff(Set.of("health"));
    LogTail.Reader r = tail.open(LogTail.Filter.ALL);
    tail.onExchangeComplete(Records.record("health", 200));
    assertThat(r.drain(10)).isEmpty();
    for (int i = 1; i < LogTail.MAX_READERS; i++) {
      assertThat(tail.open(LogTail.Filter.ALL)).isNotNull();
    }
    assertThat(tail.open(LogTail.Filter.ALL)).isNull();
  }
}
