package io.portico.plugins.auth.basic;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.basic.BasicAuthFactory.DummyHash;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

class DummyHashTest {

  @Test
  void costsAsMuchAsTheCostliestConfiguredHash() {
    String cost11 = BCrypt.hashpw("a", BCrypt.gensalt(11));
    String cost4 = BCrypt.hashpw("b", BCrypt.gensalt(4));

    assertThat(DummyHash.costOf(DummyHash.matching(List.of(cost4, cost11)))).isEqualTo(11);
  }

  @Test
  void neverCostsLessThanTheDefault() {
    String cost4 = BCrypt.hashpw("b", BCrypt.gensalt(4));

    assertThat(DummyHash.costOf(DummyHash.matching(List.of(cost4)))).isEqualTo(10);
    assertThat(DummyHash.costOf(DummyHash.matching(List.of()))).isEqualTo(10);
  }

  @Test
  void readsTheCostOfEachBcryptVariantAndDefaultsOnAnythingElse() {
    assertThat(DummyHash.costOf("$2a$12$" + "x".repeat(53))).isEqualTo(12);
    assertThat(DummyHash.costOf("$2b$05$" + "x".repeat(53))).isEqualTo(5);
    assertThat(DummyHash.costOf("$2y$31$" + "x".repeat(53))).isEqualTo(31);
    assertThat(DummyHash.costOf("$2a$99$" + "x".repeat(53))).isEqualTo(10);
    assertThat(DummyHash.costOf("plain")).isEqualTo(10);
  }

  @Test
  void isMadeOncePerCost() {
    String cost4 = BCrypt.hashpw("b", BCrypt.gensalt(4));

    assertThat(DummyHash.matching(List.of(cost4))).isSameAs(DummyHash.matching(List.of()));
  }
}
