package io.portico.observe.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.SyslogSink;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The syslog sink against real UDP and TCP receivers that decode RFC 5424. */
class SyslogLogSinkTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** HEADER SP STRUCTURED-DATA SP MSG of RFC 5424, section 6. */
  private static final Pattern RFC5424 =
      Pattern.compile(
          "<(\\d{1,3})>1 (\\S+) (\\S{1,255}) (\\S{1,48}) (\\S{1,128}) (\\S{1,32}) (-|\\[.*?\\]) (.*)",
          Pattern.DOTALL);

  private AccessLogPipeline pipeline;
  private final List<String> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    if (pipeline != null) {
      pipeline.close();
    }
  }

  private SyslogSink sink(String protocol, int port) {
    return new SyslogSink(
        "syslog",
        AccessLogConfig.DEFAULT_QUEUE,
        "127.0.0.1",
        port,
        protocol,
        16,
        "portico-test",
        Duration.ofSeconds(2));
  }

  private void offerThree() {
    pipeline.onExchangeComplete(Records.record("api", 200));
    pipeline.onExchangeComplete(Records.record("api", 404));
    pipeline.onExchangeComplete(Records.record("api", 502, "connect_failed", null, null));
  }

  private void assertDecoded() throws IOException {
    assertThat(received).hasSize(3);
    int[] priorities = {16 * 8 + 6, 16 * 8 + 4, 16 * 8 + 3};
    int[] statuses = {200, 404, 502};
    for (int i = 0; i < 3; i++) {
      Matcher m = RFC5424.matcher(received.get(i));
      assertThat(m.matches()).as("RFC 5424: %s", received.get(i)).isTrue();
      assertThat(Integer.parseInt(m.group(1))).isEqualTo(priorities[i]);
      assertThat(Instant.parse(m.group(2))).isBefore(Instant.now().plusSeconds(1));
      assertThat(m.group(4)).isEqualTo("portico-test");
      assertThat(m.group(5)).isEqualTo(String.valueOf(ProcessHandle.current().pid()));
      assertThat(m.group(6)).isEqualTo("access");
      assertThat(m.group(7)).isEqualTo("-");
      JsonNode json = JSON.readTree(m.group(8));
      assertThat(json.get("status").asInt()).isEqualTo(statuses[i]);
      assertThat(json.get("route").asText()).isEqualTo("api");
    }
  }

  @Test
  void sendsOneRfc5424DatagramPerLineOverUdp() throws Exception {
    try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(5000);
      pipeline = Records.pipeline(sink("udp", server.getLocalPort()));

      offerThree();
      for (int i = 0; i < 3; i++) {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        server.receive(p);
        received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
      }

      assertDecoded();
    }
  }

  @Test
  void framesMessagesByOctetCountingOverTcpAndReconnects() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(5000);
      pipeline = Records.pipeline(sink("tcp", server.getLocalPort()));

      offerThree();
      try (Socket s = server.accept()) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        for (int i = 0; i < 3; i++) {
          received.add(frame(in));
        }
      }
      assertDecoded();

      // The receiver closed the connection: the sink notices on a later write, counts the lost
      // lines, and connects again.
      SinkStats stats = pipeline.sinks().get(0);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                pipeline.onExchangeComplete(Records.record("after", 200));
                return stats.failed() > 0;
              });
      pipeline.onExchangeComplete(Records.record("again", 200));
      try (Socket s = server.accept()) {
        String next = frame(new DataInputStream(s.getInputStream()));
        assertThat(RFC5424.matcher(next).matches()).isTrue();
      }
    }
  }

  /** One octet-counted frame: MSG-LEN SP SYSLOG-MSG. */
  private static String frame(DataInputStream in) throws IOException {
    ByteArrayOutputStream digits = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != ' ') {
      assertThat(b).as("a digit of MSG-LEN").isBetween((int) '0', (int) '9');
      digits.write(b);
    }
    int length = Integer.parseInt(digits.toString(StandardCharsets.US_ASCII));
    byte[] msg = new byte[length];
    in.readFully(msg);
    return new String(msg, StandardCharsets.UTF_8);
  }

  @Test
  void aPluginsRefusalKeepsTheSeverityOfItsStatusAndAGatewayFailureIsAnError() throws Exception {
    try (DatagramSocket server = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      server.setSoTimeout(5000);
      pipeline = Records.pipeline(sink("udp", server.getLocalPort()));

      pipeline.onExchangeComplete(
          Records.record("api", 401, "jwt_expired", null, null).toBuilder()
              .repliedBy("jwt")
              .build());
      pipeline.onExchangeComplete(Records.record("api", 400, "bad_request", null, null));
      for (int i = 0; i < 2; i++) {
        DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
        server.receive(p);
        received.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
      }

      Matcher refusal = RFC5424.matcher(received.get(0));
      Matcher failure = RFC5424.matcher(received.get(1));
      assertThat(refusal.matches()).isTrue();
      assertThat(failure.matches()).isTrue();
      assertThat(Integer.parseInt(refusal.group(1))).isEqualTo(16 * 8 + 4);
      assertThat(Integer.parseInt(failure.group(1))).isEqualTo(16 * 8 + 3);
      assertThat(JSON.readTree(refusal.group(8)).get("failure").asText()).isEqualTo("jwt_expired");
    }
  }
}
