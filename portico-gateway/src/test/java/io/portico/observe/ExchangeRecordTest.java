package io.portico.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * {@link ExchangeRecord.Builder}: its defaults, its required components, copies, and the shared
 * record it fills anew.
 */
class ExchangeRecordTest {

  private static ExchangeRecord minimal() {
    return ExchangeRecord.builder().method("GET").path("/").protocol("HTTP/1.1").build();
  }

  /** A record whose every component differs from {@link #minimal()}'s. */
  private static ExchangeRecord full() {
    return ExchangeRecord.builder()
        .startEpochMillis(1_700_000_000_000L)
        .requestId("0123456789abcdef0123456789abcdef")
        .clientAddress("192.0.2.7")
        .method("POST")
        .path("/v1/chat/completions")
        .protocol("HTTP/2.0")
        .host("api.example.com")
        .route("llm")
        .service("ai.openai")
        .upstream("198.51.100.1:443")
        .status(200)
        .requestBytes(120)
        .responseBytes(480)
        .durationMillis(812.5)
        .upstreamConnectMillis(3.25)
        .upstreamResponseMillis(790.0)
        .failure("upstream_idle_timeout")
        .attempts(2)
        .userAgent("client/1.0")
        .backends(List.of(new ExchangeRecord.Backend("users", "users", null, 200, 4.0, null)))
        .consumer("team-a")
        .authenticatedBy("key-auth")
        .repliedBy("cache")
        .repliedByAuthentication(true)
        .limitDecision("allowed")
        .query("v=2")
        .requestHeaders(new DefaultHttpHeaders().add("X-Request", "1"))
        .responseHeaders(new DefaultHttpHeaders().add("X-Response", "1"))
        .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .ai(
            new ExchangeRecord.Ai(
                "gpt-4o",
                "openai",
                "gpt-4o-2024-08-06",
                true,
                12,
                3,
                15,
                false,
                0.1,
                41,
                88,
                0,
                "miss"))
        .grpcStatus(0)
        .requestBody(
            new ExchangeRecord.Body(
                "application/json", "{}".getBytes(StandardCharsets.UTF_8), false))
        .responseBody(
            new ExchangeRecord.Body(
                "application/json", "[]".getBytes(StandardCharsets.UTF_8), true))
        .build();
  }

  @Test
  void unsetComponentsAreThoseOfAnExchangeThatDidNotGetThatFar() {
    ExchangeRecord r = minimal();

    assertThat(r.requestId()).isNull();
    assertThat(r.route()).isNull();
    assertThat(r.status()).isZero();
    assertThat(r.upstreamConnectMillis()).isEqualTo(-1);
    assertThat(r.upstreamResponseMillis()).isEqualTo(-1);
    assertThat(r.grpcStatus()).isEqualTo(-1);
    assertThat(r.backends()).isEmpty();
    assertThat(r.requestHeaders()).isNull();
    assertThat(r.ai()).isNull();
  }

  @Test
  void refusesARecordWithoutMethodPathOrProtocol() {
    assertThatThrownBy(() -> ExchangeRecord.builder().method("GET").protocol("HTTP/1.1").build())
        .isInstanceOf(NullPointerException.class)
        .hasMessage("path");
  }

  @Test
  void toBuilderCopiesEveryComponent() throws Exception {
    ExchangeRecord full = full();
    ExchangeRecord minimal = minimal();
    List<Method> accessors = accessors();
    assertThat(accessors).hasSize(33);
    for (Method c : accessors) {
      assertThat(Objects.equals(c.invoke(full), c.invoke(minimal)))
          .as("%s is set apart from the default in this test", c.getName())
          .isFalse();
    }

    assertThat(full.toBuilder().build()).isEqualTo(full);
  }

  @Test
  void withoutHeadersKeepsEveryOtherComponent() {
    ExchangeRecord full = full();

    assertThat(full.withoutHeaders())
        .isEqualTo(full.toBuilder().requestHeaders(null).responseHeaders(null).build());
    ExchangeRecord minimal = minimal();
    assertThat(minimal.withoutHeaders()).isSameAs(minimal);
  }

  @Test
  void aBuiltRecordNeverChangesWhileTheSharedOneFollowsTheBuilder() throws Exception {
    ExchangeRecord full = full();
    ExchangeRecord.Builder b = full.toBuilder();
    ExchangeRecord own = b.build();
    ExchangeRecord shared = b.buildShared();
    assertThat(shared).isEqualTo(own).isNotSameAs(own);

    ExchangeRecord minimal = minimal();
    for (Method c : accessors()) {
      Method setter = ExchangeRecord.Builder.class.getMethod(c.getName(), c.getReturnType());
      setter.invoke(b, c.invoke(minimal));
    }

    assertThat(b.buildShared()).isSameAs(shared).isEqualTo(minimal);
    assertThat(own).isEqualTo(full).isNotEqualTo(shared);
    assertThat(b.build()).isNotSameAs(shared).isEqualTo(minimal);
  }

  @Test
  void aSharedRecordIsAlwaysCopiedToBeKept() {
    ExchangeRecord.Builder b = minimal().toBuilder();
    ExchangeRecord shared = b.buildShared();

    ExchangeRecord kept = shared.withoutHeaders();
    b.path("/next").status(204);

    assertThat(kept).isNotSameAs(shared).isEqualTo(minimal());
    assertThat(kept.withoutHeaders()).isSameAs(kept);
    assertThat(shared.path()).isEqualTo("/next");
    assertThat(shared.toBuilder().build()).isEqualTo(shared).isNotSameAs(shared);
  }

  @Test
  void aGeneratedIdIsMadeTextWhenFirstReadEvenFromAKeptCopy() {
    ExchangeRecord.Builder b = minimal().toBuilder().generatedRequestId(0x0123456789abcdefL, 42L);
    ExchangeRecord kept = b.buildShared().withoutHeaders();
    b.requestId("next");

    assertThat(kept.requestId()).isEqualTo("0123456789abcdef000000000000002a");
    assertThat(kept).isEqualTo(minimal().toBuilder().requestId(kept.requestId()).build());
    assertThat(b.buildShared().requestId()).isEqualTo("next");
    assertThat(b.generatedRequestId(1, 2).build().requestId()).isEqualTo(RequestIds.text(1, 2));
  }

  /** The public accessors of the record's components, in their order. */
  private static List<Method> accessors() throws NoSuchMethodException {
    List<Method> out = new java.util.ArrayList<>();
    for (Field f : ExchangeRecord.class.getDeclaredFields()) {
      if ((f.getModifiers() & (Modifier.STATIC | Modifier.TRANSIENT)) == 0) {
        out.add(ExchangeRecord.class.getMethod(f.getName()));
      }
    }
    return out;
  }
}
