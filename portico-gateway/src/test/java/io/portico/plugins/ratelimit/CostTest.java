package io.portico.plugins.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one reading of a cost header, shared by rate-limit and quota. */
class CostTest {

  private static final long FALLBACK = 7;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0|0",
        "1|1",
        "42|42",
        "007|7",
        "' 5'|5",
        "'5\t'|5",
        "1000000000|1000000000",
      })
  void readsDigitsAsTheCost(String value, long cost) {
    assertThat(Cost.parse(value, FALLBACK)).isEqualTo(cost);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1000000001",
        "9223372036854775807",
        "9223372036854775808",
        "99999999999999999999999999999999999999",
      })
  void countsANumberAboveTheMaximumAsTheMaximum(String value) {
    assertThat(Cost.parse(value, FALLBACK)).isEqualTo(Cost.MAX);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "-1",
        "-0",
        "+1",
        "1.5",
        "1e3",
        "0x10",
        "abc",
        "12 3",
        "1,2",
        "\uFF15",
        "1_000",
        "-9223372036854775808"
      })
  void fallsBackOnAnythingButDigits(String value) {
    assertThat(Cost.parse(value, FALLBACK)).isEqualTo(FALLBACK);
  }

  @Test
  void fallsBackWhenTheHeaderIsMissingOrNotConfigured() {
    HttpHeaders headers = new DefaultHttpHeaders().set("X-Cost", "3");
    assertThat(Cost.fromHeader(headers, "x-cost", FALLBACK)).isEqualTo(3);
    assertThat(Cost.fromHeader(headers, "X-Other", FALLBACK)).isEqualTo(FALLBACK);
    assertThat(Cost.fromHeader(headers, null, FALLBACK)).isEqualTo(FALLBACK);
  }
}
