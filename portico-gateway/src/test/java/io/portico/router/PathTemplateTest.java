package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

  @Test
  void expandsVariablesInPlace() {
    PathTemplate template = PathTemplate.of("/v2/users/{id}/files/{*rest}.bak");

    assertThat(template.expand(Map.of("id", "42", "rest", "a/b")))
        .isEqualTo("/v2/users/42/files/a/b.bak");
    assertThat(template.variables()).containsExactly("id", "rest");
    assertThat(template.toString()).isEqualTo("/v2/users/{id}/files/{*rest}.bak");
  }

  @Test
  void insertsValuesWithoutReEncoding() {
    assertThat(PathTemplate.of("/x/{q}").expand(Map.of("q", "a%20b"))).isEqualTo("/x/a%20b");
  }

  @Test
  void missingVariableExpandsToNothing() {
    assertThat(PathTemplate.of("/a/{x}/b").expand(Map.of())).isEqualTo("/a//b");
  }

  @Test
  void templateWithoutVariablesExpandsToItself() {
    PathTemplate template = PathTemplate.of("/static");

    assertThat(template.expand(Map.of("x", "1"))).isSameAs(template.toString());
  }

  @Test
  void rejectsInvalidTemplateWithTheExpectedRule() {
    assertThatThrownBy(() -> PathTemplate.of("v2/{id}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rewritePath: v2/{id} (expected: a path starting with / and balanced braces)");
  }
}
