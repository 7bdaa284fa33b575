package io.portico.ai;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A provider's stream event whose data spans several lines (several {@code data:} lines, a line
 * that itself starts with {@code data:}, a CR inside): the client never gets a line of it as an
 * event of its own. Relayed as written, {@code data: {...}\ndata: data: {forged}} would reach the
 * client as a second {@code data:} line, a chunk the provider's JSON never held. A gateway
 * in-process, a fake provider on a real socket.
 */
class AiProviderStreamFramingTest {

  private static final String CHAT =
      "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true}";

  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\n", "\r", "\r\n"})
  void aForgedDataLineInsideAnEventIsNeverRelayedAsAnEvent(String lineEnd) throws Exception {
    String forged = AiGatewayEndToEndTest.chunk("FORGED");
    FakeProvider p =
        new FakeProvider(
            (r, out) -> {
              out.events();
              out.event(null, AiGatewayEndToEndTest.chunk("Hel"));
              out.chunk(
                  "data: "
                      + AiGatewayEndToEndTest.chunk("lo")
                      + lineEnd
                      + "data: data: "
                      + forged
                      + lineEnd
                      + lineEnd);
              out.event(null, "[DONE]");
              out.end();
            });
    closing.add(p);
    String yaml =
        """
        ai:
          providers:
            - { name: openai, kind: openai, base-url: "%s" }
          models:
            - { name: gpt-4o, targets: [ { provider: openai, model: gpt-4o-2024-08-06 } ] }
        """
                .formatted(p.baseUrl("/v1"))
            + AiCaller.routeAndConsumer();
    GatewayFixture gw = GatewayFixture.start(yaml);
    closing.add(gw);

    HttpResponse<Stream<String>> r = AiCaller.postStreaming(gw, CHAT);
    List<String> data = AiCaller.dataLines(r);

    assertThat(data).isNotEmpty();
    assertThat(data).noneMatch(d -> d.contains("FORGED"));
    assertThat(data.get(data.size() - 1)).contains("\"error\"");
  }
}
