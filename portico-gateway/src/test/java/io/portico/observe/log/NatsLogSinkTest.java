package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Subscription;
import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.NatsSink;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The NATS sink publishing to the real server on 127.0.0.1:4222. */
class NatsLogSinkTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String URL = "nats://127.0.0.1:4222";

  @Test
  void publishesEachLineOnTheSubject() throws Exception {
    String subject = "portico.test.access." + UUID.randomUUID();
    try (Connection nats = Nats.connect(URL)) {
      Subscription sub = nats.subscribe(subject);
      nats.flush(Duration.ofSeconds(2));
      AccessLogPipeline pipeline =
          Records.pipeline(
              new NatsSink(
                  "nats", AccessLogConfig.DEFAULT_QUEUE, URL, subject, Duration.ofSeconds(2)));
      try {
        pipeline.onExchangeComplete(Records.record("first", 200));
        pipeline.onExchangeComplete(Records.record("second", 503));

        Message one = sub.nextMessage(Duration.ofSeconds(5));
        Message two = sub.nextMessage(Duration.ofSeconds(5));
        assertThat(one).isNotNull();
        assertThat(two).isNotNull();
        JsonNode first = JSON.readTree(one.getData());
        JsonNode second = JSON.readTree(two.getData());
        assertThat(first.get("route").asText()).isEqualTo("first");
        assertThat(second.get("route").asText()).isEqualTo("second");
        assertThat(second.get("status").asInt()).isEqualTo(503);
        assertThat(pipeline.sinks().get(0).delivered()).isEqualTo(2);
      } finally {
        pipeline.close();
      }
    }
  }

  @Test
  void countsFailuresWhileTheServerIsUnreachable() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    AccessLogPipeline pipeline =
        Records.pipeline(
            new NatsSink(
                "nats",
                AccessLogConfig.DEFAULT_QUEUE,
                "nats://127.0.0.1:" + closedPort,
                "portico.nowhere",
                Duration.ofMillis(500)));
    try {
      pipeline.onExchangeComplete(Records.record("api", 200));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> pipeline.sinks().get(0).failed() == 1);
      assertThat(pipeline.sinks().get(0).delivered()).isZero();
    } finally {
      pipeline.close();
    }
  }
}
