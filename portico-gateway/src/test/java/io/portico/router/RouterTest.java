package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

  private static Router<String> router(RouteSpec... specs) {
    Router.Builder<String> builder = Router.builder();
    for (RouteSpec spec : specs) {
      builder.add(spec, spec.name());
    }
    return builder.build();
  }

  private static RouteSpec.Builder route(String name, String... paths) {
    return RouteSpec.builder(name).paths(paths);
  }

  private static String pick(Router<String> router, String host, String method, String path) {
    RouteMatch<String> match = router.match(host, method, path, null, null);
    return match == null ? null : match.value();
  }

  private static String pick(Router<String> router, String path) {
    return pick(router, "example.com", "GET", path);
  }

  private static Router<String> strict(RouteSpec... specs) {
    Router.Builder<String> builder = Router.builder();
    for (RouteSpec spec : specs) {
      builder.add(spec, spec.name());
    }
    return builder.strictPaths(reason -> "refused:" + reason).build();
  }

  // The strict path policy.

  @Test
  void strictPolicyRefusesAPathThatDiffersOnlyInCaseFromALiteralRoutePath() {
    Router<String> router =
        strict(
            route("admin", "/admin").build(),
            route("users", "/users/{id}/orders").build(),
            route("static", "~^/v[0-9]+/static/").build(),
            route("lower", "/api").build(),
            route("upper", "/API").build());

    assertThat(pick(router, "/ADMIN/x")).isEqualTo("refused:CASE_VARIANT");
    assertThat(pick(router, "/Admin")).isEqualTo("refused:CASE_VARIANT");
    assertThat(pick(router, "/Users/7/orders")).isEqualTo("refused:CASE_VARIANT");
    assertThat(pick(router, "/v1/static/app.js")).isEqualTo("static");
    assertThat(pick(router, "/v1/STATIC/app.js")).isNull();
    assertThat(pick(router, "/Api/x")).isEqualTo("refused:CASE_VARIANT");
    assertThat(router.refusal("/ADMIN")).isEqualTo(RequestTarget.Reason.CASE_VARIANT);

    assertThat(pick(router, "/admin/x")).isEqualTo("admin");
    assertThat(pick(router, "/users/7/orders")).isEqualTo("users");
    assertThat(pick(router, "/users/7/ORDERS")).isNull();
    assertThat(pick(router, "/api/x")).isEqualTo("lower");
    assertThat(pick(router, "/API/x")).isEqualTo("upper");
    assertThat(pick(router, "/x/ADMIN")).isNull();
    assertThat(pick(router, "/administration")).isNull();
    assertThat(pick(router, "/ADMINISTRATION")).isNull();
  }

  @Test
  void strictPolicyRefusesMatrixParametersAndTrimmedSegmentEnds() {
    Router<String> router = strict(route("admin", "/admin").build(), route("all", "/").build());

    assertThat(pick(router, "/admin;x=1/users")).isEqualTo("refused:MATRIX_PARAMETER");
    assertThat(pick(router, "/x/..;/admin")).isEqualTo("refused:MATRIX_PARAMETER");
    assertThat(pick(router, "/admin./users")).isEqualTo("refused:SEGMENT_END");
    assertThat(pick(router, "/admin%20/users")).isEqualTo("refused:SEGMENT_END");
  }

  @Test
  void withoutTheStrictPolicyTheSamePathsAreRoutedAsWritten() {
    Router<String> router = router(route("admin", "/admin").build(), route("all", "/").build());

    assertThat(pick(router, "/ADMIN/x")).isEqualTo("all");
    assertThat(pick(router, "/admin;x=1/users")).isEqualTo("all");
    assertThat(pick(router, "/admin./users")).isEqualTo("all");
    assertThat(router.refusal("/ADMIN/x")).isNull();
  }

  // Path matching.

  @Test
  void literalPrefixMatchesOnlyAtSegmentBoundaries() {
    Router<String> router = router(route("api", "/api").build());

    assertThat(pick(router, "/api")).isEqualTo("api");
    assertThat(pick(router, "/api/")).isEqualTo("api");
    assertThat(pick(router, "/api/x/y")).isEqualTo("api");
    assertThat(pick(router, "/apix")).isNull();
    assertThat(pick(router, "/ap")).isNull();
    assertThat(pick(router, "/")).isNull();
  }

  @Test
  void prefixWrittenWithTrailingSlashNeedsMorePath() {
    Router<String> router = router(route("api", "/api/").build());

    assertThat(pick(router, "/api")).isNull();
    assertThat(pick(router, "/api/")).isEqualTo("api");
    assertThat(pick(router, "/api/x")).isEqualTo("api");
  }

  @Test
  void rootPrefixMatchesEveryPath() {
    Router<String> router = router(route("root", "/").build());

    assertThat(pick(router, "/")).isEqualTo("root");
    assertThat(pick(router, "/x")).isEqualTo("root");
    assertThat(pick(router, "/x/y/")).isEqualTo("root");
  }

  @Test
  void routeWithoutPathsMatchesEveryPath() {
    Router<String> router = router(RouteSpec.builder("any").hosts("a.example.com").build());

    assertThat(pick(router, "a.example.com", "GET", "/anything")).isEqualTo("any");
    assertThat(pick(router, "b.example.com", "GET", "/anything")).isNull();
  }

  @Test
  void exactPathMatchesOnlyTheWholePath() {
    Router<String> router =
        router(route("users", "/users").exact().build(), route("root", "/").exact().build());

    assertThat(pick(router, "/users")).isEqualTo("users");
    assertThat(pick(router, "/users/")).isNull();
    assertThat(pick(router, "/users/1")).isNull();
    assertThat(pick(router, "/")).isEqualTo("root");
    assertThat(pick(router, "/x")).isNull();
  }

  @Test
  void exactPathWithTrailingSlashMatchesOnlyWithTheSlash() {
    Router<String> router = router(route("users", "/users/").exact().build());

    assertThat(pick(router, "/users/")).isEqualTo("users");
    assertThat(pick(router, "/users")).isNull();
  }

  @Test
  void templateVariableMatchesOneNonEmptySegment() {
    Router<String> router = router(route("user", "/users/{id}").exact().build());

    RouteMatch<String> match = router.match("h", "GET", "/users/42", null, null);

    assertThat(match.value()).isEqualTo("user");
    assertThat(match.pathParameters()).containsExactly(Map.entry("id", "42"));
    assertThat(pick(router, "/users/")).isNull();
    assertThat(pick(router, "/users")).isNull();
    assertThat(pick(router, "/users/42/x")).isNull();
  }

  @Test
  void templateUnderPrefixMatchingAllowsMoreSegments() {
    Router<String> router = router(route("orders", "/users/{id}/orders").build());

    RouteMatch<String> match = router.match("h", "GET", "/users/7/orders/9", null, null);

    assertThat(match.pathParameters()).containsExactly(Map.entry("id", "7"));
    assertThat(match.matchedPrefix()).isEqualTo("/users/7/orders");
    assertThat(match.strippedPath()).isEqualTo("/9");
    assertThat(pick(router, "/users/7/ordersx")).isNull();
  }

  @Test
  void templateCapturesSeveralVariablesInOrder() {
    Router<String> router = router(route("o", "/users/{id}/orders/{orderId}").exact().build());

    RouteMatch<String> match = router.match("h", "GET", "/users/u%20x/orders/o-1", null, null);

    assertThat(match.pathParameters())
        .containsExactly(Map.entry("id", "u%20x"), Map.entry("orderId", "o-1"));
  }

  @Test
  void catchAllCapturesTheRestOfThePathPossiblyEmpty() {
    Router<String> router = router(route("files", "/files/{*rest}").build());

    assertThat(router.match("h", "GET", "/files/a/b.txt", null, null).pathParameters())
        .containsExactly(Map.entry("rest", "a/b.txt"));
    assertThat(router.match("h", "GET", "/files/", null, null).pathParameters())
        .containsExactly(Map.entry("rest", ""));
    assertThat(router.match("h", "GET", "/files", null, null).pathParameters())
        .containsExactly(Map.entry("rest", ""));
    assertThat(pick(router, "/filesx")).isNull();
  }

  @Test
  void catchAllAtTheRootMatchesEveryPath() {
    Router<String> router = router(route("all", "/{*path}").build());

    RouteMatch<String> match = router.match("h", "GET", "/a/b", null, null);

    assertThat(match.pathParameters()).containsExactly(Map.entry("path", "a/b"));
    assertThat(match.matchedPrefix()).isEmpty();
    assertThat(router.match("h", "GET", "/", null, null).pathParameters())
        .containsExactly(Map.entry("path", ""));
  }

  @Test
  void regexMatchesAtTheStartOfThePathAndNamesBecomeParameters() {
    Router<String> router = router(route("versioned", "~^/v(?<version>[0-9]+)/").build());

    RouteMatch<String> match = router.match("h", "GET", "/v12/users", null, null);

    assertThat(match.value()).isEqualTo("versioned");
    assertThat(match.pathParameters()).containsExactly(Map.entry("version", "12"));
    assertThat(match.matchedPrefix()).isEqualTo("/v12");
    assertThat(match.strippedPath()).isEqualTo("/users");
    assertThat(pick(router, "/api/v12/users")).isNull();
  }

  @Test
  void regexUnderExactMatchingMustMatchTheWholePath() {
    Router<String> router = router(route("id", "~/items/[0-9]+").exact().build());

    assertThat(pick(router, "/items/12")).isEqualTo("id");
    assertThat(pick(router, "/items/12/x")).isNull();
  }

  @Test
  void regexWithOptionalCharacterAfterItsLiteralStillMatchesWithoutIt() {
    Router<String> router = router(route("r", "~/apis?/x").build());

    assertThat(pick(router, "/api/x")).isEqualTo("r");
    assertThat(pick(router, "/apis/x")).isEqualTo("r");
    assertThat(pick(router, "/ap/x")).isNull();
  }

  @Test
  void regexWithAlternationIsTriedOnEveryPath() {
    Router<String> router = router(route("r", "~/a|/b").build());

    assertThat(pick(router, "/a")).isEqualTo("r");
    assertThat(pick(router, "/b")).isEqualTo("r");
    assertThat(pick(router, "/c")).isNull();
  }

  @Test
  void pathNotStartingWithSlashMatchesNothing() {
    Router<String> router = router(route("root", "/").build(), route("all", "~.*").build());

    assertThat(pick(router, "*")).isNull();
    assertThat(pick(router, "")).isNull();
  }

  @Test
  void emptyRouterMatchesNothing() {
    assertThat(pick(router(), "/")).isNull();
    assertThat(router().size()).isZero();
  }

  @Test
  void addingAnUncheckedPatternFailsWithTheExpectedRule() {
    Router.Builder<String> builder = Router.builder();

    assertThatThrownBy(() -> builder.add(route("bad", "/a/{}").build(), "bad"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("path: /a/{} (expected: variable names");
    assertThatThrownBy(() -> builder.add(route("bad", "/").hosts("*").build(), "bad"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host: * (expected: a host name such as api.example.com or *.example.com)");
  }

  @Test
  void buildingTwiceGivesIndependentRoutersOfTheRoutesAddedSoFar() {
    Router.Builder<String> builder = Router.builder();
    builder.add(route("a", "/a").build(), "a");
    Router<String> first = builder.build();
    builder.add(route("b", "/b").build(), "b");
    Router<String> second = builder.build();

    assertThat(pick(first, "/b")).isNull();
    assertThat(pick(second, "/b")).isEqualTo("b");
    assertThat(pick(first, "/a")).isEqualTo("a");
    assertThat(second.size()).isEqualTo(2);
  }

  @Test
  void literalMatchHasTheEmptySingletonForParameters() {
    Router<String> router = router(route("api", "/api").build());

    assertThat(router.match("h", "GET", "/api/x", null, null).pathParameters()).isSameAs(Map.of());
  }

  @Test
  void matchReportsSpecAndPatternThatMatched() {
    RouteSpec spec = route("two", "/a", "/b/{x}").build();
    Router<String> router = router(spec);

    RouteMatch<String> match = router.match("h", "GET", "/b/1", null, null);

    assertThat(match.spec()).isSameAs(spec);
    assertThat(match.pattern()).isEqualTo("/b/{x}");
    assertThat(match.path()).isEqualTo("/b/1");
  }

  // Hosts.

  @Test
  void hostMatchesCaseInsensitivelyWithoutPortOrTrailingDot() {
    Router<String> router = router(route("api", "/").hosts("API.example.com").build());

    assertThat(pick(router, "api.example.com", "GET", "/")).isEqualTo("api");
    assertThat(pick(router, "Api.Example.COM:8443", "GET", "/")).isEqualTo("api");
    assertThat(pick(router, "api.example.com.", "GET", "/")).isEqualTo("api");
    assertThat(pick(router, "api.example.com.:80", "GET", "/")).isEqualTo("api");
    assertThat(pick(router, "api.example.co", "GET", "/")).isNull();
    assertThat(pick(router, "xapi.example.com", "GET", "/")).isNull();
  }

  @Test
  void wildcardHostMatchesSubdomainsOfAnyDepthButNotTheBareDomain() {
    Router<String> router = router(route("wild", "/").hosts("*.example.com").build());

    assertThat(pick(router, "a.example.com", "GET", "/")).isEqualTo("wild");
    assertThat(pick(router, "a.b.EXAMPLE.com:80", "GET", "/")).isEqualTo("wild");
    assertThat(pick(router, "example.com", "GET", "/")).isNull();
    assertThat(pick(router, "aexample.com", "GET", "/")).isNull();
    assertThat(pick(router, ".example.com", "GET", "/")).isNull();
  }

  @Test
  void requestWithoutHostOrWithIpv6LiteralMatchesOnlyRoutesWithoutHosts() {
    Router<String> router =
        router(route("named", "/").hosts("a.example.com").build(), route("any", "/x").build());

    assertThat(pick(router, null, "GET", "/")).isNull();
    assertThat(pick(router, null, "GET", "/x")).isEqualTo("any");
    assertThat(pick(router, "[::1]:8080", "GET", "/x")).isEqualTo("any");
    assertThat(pick(router, "", "GET", "/x")).isEqualTo("any");
  }

  @Test
  void routeWithSeveralHostsAndPathsMatchesAnyCombination() {
    Router<String> router =
        router(route("multi", "/a", "/b").hosts("one.example.com", "*.two.example.com").build());

    assertThat(pick(router, "one.example.com", "GET", "/b")).isEqualTo("multi");
    assertThat(pick(router, "x.two.example.com", "GET", "/a")).isEqualTo("multi");
    assertThat(pick(router, "two.example.com", "GET", "/a")).isNull();
    assertThat(pick(router, "one.example.com", "GET", "/c")).isNull();
  }

  // Precedence.

  @Test
  void higherPriorityWinsOverEveryOtherRule() {
    Router<String> router =
        router(
            route("exact-host-exact-path", "/users").exact().hosts("api.example.com").build(),
            route("any-host-regex", "~/").priority(1).build());

    assertThat(pick(router, "api.example.com", "GET", "/users")).isEqualTo("any-host-regex");
  }

  @Test
  void exactHostWinsOverWildcardWhichWinsOverAnyHost() {
    Router<String> router =
        router(
            route("any", "/users/me").exact().build(),
            route("wild", "/").hosts("*.example.com").build(),
            route("exact", "/").hosts("api.example.com").build());

    assertThat(pick(router, "api.example.com", "GET", "/users/me")).isEqualTo("exact");
    assertThat(pick(router, "web.example.com", "GET", "/users/me")).isEqualTo("wild");
    assertThat(pick(router, "example.org", "GET", "/users/me")).isEqualTo("any");
  }

  @Test
  void longerWildcardSuffixWins() {
    Router<String> router =
        router(
            route("short", "/").hosts("*.example.com").build(),
            route("long", "/").hosts("*.eu.example.com").build());

    assertThat(pick(router, "api.eu.example.com", "GET", "/")).isEqualTo("long");
    assertThat(pick(router, "api.us.example.com", "GET", "/")).isEqualTo("short");
  }

  @Test
  void exactPathWinsOverLiteralPrefix() {
    Router<String> router =
        router(
            route("prefix", "/users/me/settings").build(),
            route("exact", "/users/me/settings").exact().build());

    assertThat(pick(router, "/users/me/settings")).isEqualTo("exact");
    assertThat(pick(router, "/users/me/settings/x")).isEqualTo("prefix");
  }

  @Test
  void longerLiteralPrefixWins() {
    Router<String> router =
        router(
            route("short", "/api").build(),
            route("long", "/api/users").build(),
            route("root", "/").build());

    assertThat(pick(router, "/api/users/1")).isEqualTo("long");
    assertThat(pick(router, "/api/orders")).isEqualTo("short");
    assertThat(pick(router, "/other")).isEqualTo("root");
  }

  @Test
  void literalPrefixWinsOverTemplate() {
    Router<String> router =
        router(
            route("template", "/users/{id}").exact().build(), route("literal", "/users").build());

    assertThat(pick(router, "/users/me")).isEqualTo("literal");
  }

  @Test
  void templateWithMoreLiteralSegmentsWins() {
    Router<String> router =
        router(
            route("two-vars", "/users/{id}/{section}").exact().build(),
            route("one-var", "/users/{id}/orders").exact().build(),
            route("catch-all", "/users/{*rest}").build());

    assertThat(pick(router, "/users/7/orders")).isEqualTo("one-var");
    assertThat(pick(router, "/users/7/profile")).isEqualTo("two-vars");
    assertThat(pick(router, "/users/7")).isEqualTo("catch-all");
  }

  @Test
  void templateWithoutCatchAllWinsOverCatchAllWithSameLiterals() {
    Router<String> router =
        router(route("rest", "/files/{*rest}").build(), route("one", "/files/{name}").build());

    assertThat(pick(router, "/files/a")).isEqualTo("one");
    assertThat(pick(router, "/files")).isEqualTo("rest");
  }

  @Test
  void exactTemplateWinsOverPrefixTemplate() {
    Router<String> router =
        router(
            route("prefix", "/users/{id}").build(), route("exact", "/users/{id}").exact().build());

    assertThat(pick(router, "/users/7")).isEqualTo("exact");
    assertThat(pick(router, "/users/7/x")).isEqualTo("prefix");
  }

  @Test
  void templateWinsOverRegex() {
    Router<String> router =
        router(
            route("regex", "~^/users/[0-9]+$").build(), route("template", "/users/{id}").build());

    assertThat(pick(router, "/users/7")).isEqualTo("template");
  }

  @Test
  void routeWithMoreConditionsWins() {
    Router<String> router =
        router(
            route("plain", "/api").build(),
            route("get", "/api").methods("GET").build(),
            route("get-json", "/api").methods("GET").header("Accept", "application/json").build());
    HttpHeaders json = new DefaultHttpHeaders().add("accept", "application/json");

    assertThat(router.match("h", "GET", "/api", json, null).value()).isEqualTo("get-json");
    assertThat(router.match("h", "GET", "/api", null, null).value()).isEqualTo("get");
    assertThat(router.match("h", "PUT", "/api", json, null).value()).isEqualTo("plain");
  }

  @Test
  void lowerOrderThenEarlierAdditionBreaksTies() {
    Router<String> router =
        router(
            route("second", "/a").order(2).build(),
            route("first", "/a").order(1).build(),
            route("also-second", "/a").order(2).build());

    assertThat(pick(router, "/a")).isEqualTo("first");
    assertThat(
            router(route("x", "/a").order(2).build(), route("y", "/a").order(2).build())
                .match("h", "GET", "/a", null, null)
                .value())
        .isEqualTo("x");
  }

  @Test
  void prefixWrittenWithTrailingSlashWinsOverTheSamePrefixWithout() {
    Router<String> router = router(route("bare", "/api").build(), route("slash", "/api/").build());

    assertThat(pick(router, "/api/x")).isEqualTo("slash");
    assertThat(pick(router, "/api")).isEqualTo("bare");
  }

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
