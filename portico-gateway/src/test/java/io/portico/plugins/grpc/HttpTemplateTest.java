package io.portico.plugins.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code google.api.http} path template grammar and matching. */
class HttpTemplateTest {

  @Test
  void matchesAVariableOfSeveralSegmentsAndANestedFieldPath() throws Exception {
    HttpTemplate t = HttpTemplate.parse("/v1/{book.name=shelves/*/books/*}");

    assertThat(t.match("/v1/shelves/1/books/2"))
        .isEqualTo(Map.of("book.name", "shelves/1/books/2"));
    assertThat(t.match("/v1/shelves/1/books")).isNull();
    assertThat(t.match("/v1/shelves/1/books/2/x")).isNull();
    assertThat(t.match("/v1/shelves//books/2")).isNull();
  }

  @Test
  void matchesSingleSegmentVariablesAndAVerb() throws Exception {
    HttpTemplate t = HttpTemplate.parse("/v1/{parent}/items:batchGet");

    assertThat(t.match("/v1/p%20q/items:batchGet")).isEqualTo(Map.of("parent", "p q"));
    assertThat(t.match("/v1/p/items")).isNull();
    assertThat(t.match("/v1/p/items:other")).isNull();
    assertThat(HttpTemplate.parse("/v1/{name}").match("/v1/x:verb")).isNull();
  }

  @Test
  void aTrailingDoubleWildcardTakesTheRestAndKeepsEscapedSlashes() throws Exception {
    HttpTemplate t = HttpTemplate.parse("/files/{path=**}");

    assertThat(t.match("/files/a/b%2Fc/d")).isEqualTo(Map.of("path", "a/b%2Fc/d"));
    assertThat(HttpTemplate.parse("/v1/{name=x/*}").match("/v1/x/a%2Fb"))
        .isEqualTo(Map.of("name", "x/a%2Fb"));
    assertThat(HttpTemplate.parse("/v1/{id}").match("/v1/a%2Fb")).isEqualTo(Map.of("id", "a/b"));
  }

  @Test
  void refusesTemplatesOutsideTheGrammar() {
    assertThatThrownBy(() -> HttpTemplate.parse("v1/x")).isInstanceOf(HttpTemplate.Invalid.class);
    assertThatThrownBy(() -> HttpTemplate.parse("/v1/{name"))
        .isInstanceOf(HttpTemplate.Invalid.class);
    assertThatThrownBy(() -> HttpTemplate.parse("/v1/**/x"))
        .isInstanceOf(HttpTemplate.Invalid.class);
    assertThatThrownBy(() -> HttpTemplate.parse("/v1/{1a}"))
        .isInstanceOf(HttpTemplate.Invalid.class);
    assertThatThrownBy(() -> HttpTemplate.parse("/v1//x")).isInstanceOf(HttpTemplate.Invalid.class);
  }

  @Test
  void moreLiteralSegmentsMakeATemplateMoreSpecific() throws Exception {
    assertThat(HttpTemplate.parse("/v1/books:search").literals())
        .isGreaterThan(HttpTemplate.parse("/v1/{name}").literals());
  }
}
