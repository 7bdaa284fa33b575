package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/**
 * Method, header and query conditions falling through to the next candidate; strip-prefix and
 * rewrite-path.
 */
class RouterConditionsAndRewriteTest extends RouterCases {

  // Conditions fall through to the next candidate.

  @Test
  void literalPrefixShadowsLongerTemplateUnderItsPath() {
    Router<String> router =
        router(route("user", "/users/{id}").build(), route("users", "/users").build());

    assertThat(pick(router, "/users/7")).isEqualTo("users");
  }

  @Test
  void methodMismatchFallsThroughToTheNextCandidate() {
    Router<String> router =
        router(
            route("get-user", "/users/{id}").methods("GET", "HEAD").build(),
            route("users", "/users/{*rest}").build());

    assertThat(pick(router, "h", "GET", "/users/7")).isEqualTo("get-user");
    assertThat(pick(router, "h", "HEAD", "/users/7")).isEqualTo("get-user");
    assertThat(pick(router, "h", "POST", "/users/7")).isEqualTo("users");
    assertThat(pick(router, "h", "get", "/users/7")).isEqualTo("users");
  }

  @Test
  void methodMismatchFallsThroughAcrossHosts() {
    Router<String> router =
        router(
            route("exact-host-post", "/").hosts("api.example.com").methods("POST").build(),
            route("any-host", "/").build());

    assertThat(pick(router, "api.example.com", "GET", "/x")).isEqualTo("any-host");
    assertThat(pick(router, "api.example.com", "POST", "/x")).isEqualTo("exact-host-post");
  }

  @Test
  void headerConditionMatchesNameCaseInsensitivelyAndValueExactly() {
    Router<String> router =
        router(
            route("beta", "/").header("X-Channel", "beta").build(), route("stable", "/").build());

    assertThat(match(router, new DefaultHttpHeaders().add("x-channel", "beta"), null))
        .isEqualTo("beta");
    assertThat(match(router, new DefaultHttpHeaders().add("X-CHANNEL", "Beta"), null))
        .isEqualTo("stable");
    assertThat(
            match(
                router,
                new DefaultHttpHeaders().add("x-channel", "alpha").add("x-channel", "beta"),
                null))
        .isEqualTo("beta");
    assertThat(match(router, new DefaultHttpHeaders(), null)).isEqualTo("stable");
    assertThat(match(router, null, null)).isEqualTo("stable");
  }

  @Test
  void queryConditionChecksPresenceOrDecodedValue() {
    Router<String> router =
        router(
            route("debug", "/").query("debug", null).build(),
            route("q", "/").query("q", "a b").build(),
            route("other", "/").build());

    assertThat(match(router, null, "debug")).isEqualTo("debug");
    assertThat(match(router, null, "x=1&debug=0")).isEqualTo("debug");
    assertThat(match(router, null, "debugx=1")).isEqualTo("other");
    assertThat(match(router, null, "q=a+b")).isEqualTo("q");
    assertThat(match(router, null, "x&q=a%20b&y")).isEqualTo("q");
    assertThat(match(router, null, "q=a%20bc")).isEqualTo("other");
    assertThat(match(router, null, "q=ab")).isEqualTo("other");
    assertThat(match(router, null, "")).isEqualTo("other");
    assertThat(match(router, null, null)).isEqualTo("other");
  }

  @Test
  void queryConditionWithEmptyValueMatchesParameterWithoutValue() {
    Router<String> router =
        router(route("empty", "/").query("flag", "").build(), route("other", "/").build());

    assertThat(match(router, null, "flag")).isEqualTo("empty");
    assertThat(match(router, null, "flag=")).isEqualTo("empty");
    assertThat(match(router, null, "flag=1")).isEqualTo("other");
  }

  @Test
  void failedConditionsOnEveryCandidateMeanNoMatch() {
    Router<String> router = router(route("post", "/").methods("POST").build());

    assertThat(pick(router, "h", "GET", "/")).isNull();
  }

  private static String match(Router<String> router, HttpHeaders headers, String rawQuery) {
    RouteMatch<String> match = router.match("h", "GET", "/", headers, rawQuery);
    return match == null ? null : match.value();
  }

  // Strip-prefix and rewrite-path.

  @Test
  void stripPrefixRemovesTheMatchedLiteralPrefix() {
    Router<String> router =
        router(
            route("api", "/api").build(),
            route("slash", "/web/").build(),
            route("root", "/").build(),
            route("exact", "/health").exact().build());

    assertThat(stripped(router, "/api/users")).isEqualTo("/users");
    assertThat(stripped(router, "/api")).isEqualTo("/");
    assertThat(stripped(router, "/api/")).isEqualTo("/");
    assertThat(stripped(router, "/web/x/")).isEqualTo("/x/");
    assertThat(stripped(router, "/other/x")).isEqualTo("/other/x");
    assertThat(stripped(router, "/health")).isEqualTo("/");
    assertThat(router.match("h", "GET", "/web/x", null, null).matchedPrefix()).isEqualTo("/web");
    assertThat(router.match("h", "GET", "/other", null, null).matchedPrefix()).isEmpty();
  }

  @Test
  void stripPrefixOfCatchAllKeepsTheRest() {
    Router<String> router = router(route("files", "/files/{*rest}").build());

    assertThat(stripped(router, "/files/a/b")).isEqualTo("/a/b");
    assertThat(stripped(router, "/files")).isEqualTo("/");
  }

  @Test
  void rewritePathReplacesTheMatchedPartAndKeepsTheRest() {
    Router<String> router =
        router(route("user", "/api/users/{id}").build(), route("all", "/old/{*rest}").build());
    PathTemplate people = PathTemplate.of("/v2/people/{id}");
    PathTemplate moved = PathTemplate.of("/new/{*rest}");

    assertThat(router.match("h", "GET", "/api/users/42", null, null).rewrittenPath(people))
        .isEqualTo("/v2/people/42");
    assertThat(router.match("h", "GET", "/api/users/42/orders", null, null).rewrittenPath(people))
        .isEqualTo("/v2/people/42/orders");
    assertThat(router.match("h", "GET", "/old/a/b", null, null).rewrittenPath(moved))
        .isEqualTo("/new/a/b");
  }

  @Test
  void rewriteOfExactMatchIsTheFilledTemplate() {
    Router<String> router =
        router(
            route("health", "/health/").exact().build(),
            route("user", "/users/{id}").exact().build());

    RouteMatch<String> health = router.match("h", "GET", "/health/", null, null);
    assertThat(health.matchedLength()).isEqualTo(8);
    assertThat(health.rewrittenPath(PathTemplate.of("/status"))).isEqualTo("/status");
    assertThat(
            router
                .match("h", "GET", "/users/1", null, null)
                .rewrittenPath(PathTemplate.of("/v2/{id}")))
        .isEqualTo("/v2/1");
  }

  @Test
  void rewriteOfRootPrefixPrependsTheTemplate() {
    Router<String> router = router(route("root", "/").build());
    RouteMatch<String> match = router.match("h", "GET", "/x/y", null, null);

    assertThat(match.rewrittenPath(PathTemplate.of("/base"))).isEqualTo("/base/x/y");
    assertThat(match.rewrittenPath(PathTemplate.of("/base/"))).isEqualTo("/base/x/y");
    assertThat(router.match("h", "GET", "/", null, null).rewrittenPath(PathTemplate.of("/base")))
        .isEqualTo("/base/");
  }

  private static String stripped(Router<String> router, String path) {
    return router.match("h", "GET", path, null, null).strippedPath();
  }
}
