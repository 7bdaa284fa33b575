package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoutePatternsTest {

  @Test
  void acceptsLiteralTemplateCatchAllAndRegexPaths() {
    for (String pattern :
        new String[] {
          "/",
          "/api",
          "/api/",
          "/users/{id}",
          "/users/{id}/orders/{order_id}/",
          "/files/{*rest}",
          "/{*all}",
          "/a-b_c~d/%20x/caf%C3%A9",
          "~^/v[0-9]+/",
          "/.well-known/acme"
        }) {
      assertThat(RoutePatterns.checkPath(pattern)).as(pattern).isNull();
    }
  }

  @Test
  void rejectsPathsNotStartingWithSlashOrWithUnbalancedBraces() {
    assertThat(RoutePatterns.checkPath("api"))
        .isEqualTo("a path starting with / and balanced braces: \"/api\"");
    assertThat(RoutePatterns.checkPath("/users/{id"))
        .isEqualTo("a path starting with / and balanced braces");
    assertThat(RoutePatterns.checkPath("/users/id}"))
        .isEqualTo("a path starting with / and balanced braces");
    assertThat(RoutePatterns.checkPath("/users/{{id}}"))
        .isEqualTo("a path starting with / and balanced braces");
  }

  @Test
  void aPathWithoutItsLeadingSlashSaysHowToWriteIt() {
    assertThat(RoutePatterns.checkPath("users/{id}"))
        .isEqualTo("a path starting with / and balanced braces: \"/users/{id}\"");
    assertThat(RoutePatterns.checkPath("users/{id"))
        .isEqualTo("a path starting with / and balanced braces");
  }

  @Test
  void aColonVariableSaysToWriteItInBraces() {
    assertThat(RoutePatterns.checkPath("/users/:id/orders/:order_id"))
        .startsWith("a path variable written in braces: \"/users/{id}/orders/{order_id}\"");
    assertThat(RoutePatterns.checkPath("/v1/models/gemini:generate")).isNull();
    assertThat(RoutePatterns.checkPath("/v1/:1")).isNull();
  }

  @Test
  void rejectsEmptyAndInvalidVariableNames() {
    assertThat(RoutePatterns.checkPath("/users/{}")).contains("variable names");
    assertThat(RoutePatterns.checkPath("/users/{*}")).contains("variable names");
    assertThat(RoutePatterns.checkPath("/users/{1st}")).contains("variable names");
    assertThat(RoutePatterns.checkPath("/users/{a-b}")).contains("variable names");
  }

  @Test
  void rejectsDuplicateVariableNames() {
    assertThat(RoutePatterns.checkPath("/a/{id}/b/{id}"))
        .isEqualTo("distinct variable names ({id} repeats)");
    assertThat(RoutePatterns.checkPath("/a/{id}/{*id}"))
        .isEqualTo("distinct variable names ({id} repeats)");
  }

  @Test
  void rejectsVariablesThatDoNotFillAWholeSegment() {
    assertThat(RoutePatterns.checkPath("/users/user-{id}"))
        .isEqualTo("variables that fill a whole segment, such as /users/{id}");
    assertThat(RoutePatterns.checkPath("/files/{name}.json"))
        .isEqualTo("variables that fill a whole segment, such as /users/{id}");
  }

  @Test
  void rejectsCatchAllBeforeTheLastSegment() {
    assertThat(RoutePatterns.checkPath("/files/{*rest}/x"))
        .isEqualTo("a catch-all {*name} only as the last segment");
    assertThat(RoutePatterns.checkPath("/files/{*rest}/"))
        .isEqualTo("a catch-all {*name} only as the last segment");
  }

  @Test
  void rejectsLiteralsThatANormalizedPathCannotContain() {
    assertThat(RoutePatterns.checkPath("/a//b")).isEqualTo("a path without empty segments (//)");
    assertThat(RoutePatterns.checkPath("/a/./b")).isEqualTo("a path without . or .. segments");
    assertThat(RoutePatterns.checkPath("/a/..")).isEqualTo("a path without . or .. segments");
    assertThat(RoutePatterns.checkPath("/a?x=1")).contains("without \\, ? or #");
    assertThat(RoutePatterns.checkPath("/a b")).contains("printable ASCII");
    assertThat(RoutePatterns.checkPath("/a%2Fb")).contains("percent escapes");
    assertThat(RoutePatterns.checkPath("/%7Euser")).contains("percent escapes");
    assertThat(RoutePatterns.checkPath("/a%4")).contains("percent escapes");
  }

  @Test
  void rejectsInvalidRegex() {
    assertThat(RoutePatterns.checkPath("~^/v[0-9+/")).startsWith("a valid regular expression");
  }

  @Test
  void checksHostNames() {
    assertThat(RoutePatterns.checkHost("api.example.com")).isNull();
    assertThat(RoutePatterns.checkHost("*.example.com")).isNull();
    assertThat(RoutePatterns.checkHost("10.0.0.1")).isNull();
    assertThat(RoutePatterns.checkHost("*")).isNotNull();
    assertThat(RoutePatterns.checkHost("a.*.com")).isNotNull();
    assertThat(RoutePatterns.checkHost("-a.com")).isNotNull();
    assertThat(RoutePatterns.checkHost("a.com:80"))
        .isEqualTo("a host name such as api.example.com or *.example.com");
  }

  @Test
  void rewritePathMayUseOnlyVariablesEveryPathCaptures() {
    assertThat(RoutePatterns.checkRewritePath("/v2/users/{id}", List.of("/users/{id}"))).isNull();
    assertThat(
            RoutePatterns.checkRewritePath(
                "/v2/{v}/{*rest}", List.of("/api/{v}/{*rest}", "~^/(?<v>v[0-9])/(?<rest>.*)")))
        .isNull();
    assertThat(RoutePatterns.checkRewritePath("/v2", List.of())).isNull();
    assertThat(RoutePatterns.checkRewritePath("/v2/{id}", List.of("/users/{id}", "/users")))
        .isEqualTo(
            "variables captured by every path of the route ({id} is not captured by /users)");
    assertThat(RoutePatterns.checkRewritePath("/v2/{id}", List.of()))
        .isEqualTo("variables captured by every path of the route ({id} is not captured by /)");
  }

  @Test
  void rewritePathMustBeAPathWithValidVariables() {
    assertThat(RoutePatterns.checkRewritePath("v2", List.of("/"))).isNotNull();
    assertThat(RoutePatterns.checkRewritePath("/v2/{}", List.of("/"))).contains("variable names");
    assertThat(RoutePatterns.checkRewritePath("/v2?x=1", List.of("/"))).contains("?");
  }

  @Test
  void regexGroupNamesSkipEscapesClassesAndLookbehinds() {
    assertThat(RoutePatterns.capturedVariables("~^/(?<a>x)\\(?<b>[(?<c>)](?<=y)(?<!z)(?<d>w)"))
        .containsExactly("a", "d");
  }
}
