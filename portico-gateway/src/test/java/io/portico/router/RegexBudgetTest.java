package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A route regex reads the path within a budget ({@link BoundedPath}). */
class RegexBudgetTest {

  private static Router<String> router() {
    Router.Builder<String> builder = Router.builder();
    builder.add(RouteSpec.builder("items").paths("~^/api/(.*)/(.*)/(.*)/items$").build(), "items");
    builder.add(RouteSpec.builder("other").paths("/other").build(), "other");
    return builder.build();
  }

  private static String pick(Router<String> router, String path) {
    RouteMatch<String> match = router.match("example.com", "GET", path, null, null);
    return match == null ? null : match.value();
  }

  @Test
  void aRegexThatBacktracksPastItsBudgetRefusesThePathInsteadOfHoldingTheThread() {
    Router<String> router = router();

    assertThat(pick(router, "/api/a/b/c/items")).isEqualTo("items");
    assertThat(router.match("h", "GET", "/api/a/b/c/items", null, null).pathParameters()).isEmpty();
    assertThat(pick(router, "/api/a/b")).isNull();
    assertThat(pick(router, "/other")).isEqualTo("other");
    // java.util.regex needs minutes to fail this; the budget ends it
    String slashes = "/api/" + "x/".repeat(1500);
    assertThatThrownBy(() -> pick(router, slashes)).isInstanceOf(PathTooComplexException.class);
  }

  @Test
  void aRegexThatDoesNotBacktrackStaysFarBelowTheBudgetOnTheLongestPaths() {
    String path = "/v12/" + "segment/".repeat(1000);
    BoundedPath bounded = new BoundedPath(path, path.length() * 8);

    assertThat(Pattern.compile("^/v[0-9]+/(?<rest>.*)$").matcher(bounded).matches()).isTrue();
  }
}
