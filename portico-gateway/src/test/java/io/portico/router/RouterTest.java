package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Path matching: literal prefixes, exact paths, templates, catch-alls, regexes and the strict path
 * policy.
 */
class RouterTest extends RouterCases {

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
  void caseVariantsAreFoundAmongManySpellingsAndInPathsWithOtherCharacters() {
    RouteSpec[] specs = new RouteSpec[20];
    for (int i = 0; i < 20; i++) {
      specs[i] = route("r" + i, "/svc" + i + "/api").build();
    }
    Router<String> many = strict(specs);

    assertThat(pick(many, "/svc7/api")).isEqualTo("r7");
    assertThat(pick(many, "/SVC7/api")).isEqualTo("refused:CASE_VARIANT");
    assertThat(pick(many, "/svc19/API")).isEqualTo("refused:CASE_VARIANT");
    assertThat(pick(many, "/svc20/api")).isNull();

    Router<String> few = strict(route("a", "/grpc.Echo/").build());
    assertThat(pick(few, "/grpc.Echo/Unary")).isEqualTo("a");
    assertThat(pick(few, "/GRPC.echo/Unary")).isEqualTo("refused:CASE_VARIANT");
    assertThat(few.refusal("/grpc.Echó/Unary")).isNull();
    assertThat(few.refusal("/GRPC.ECHO")).isEqualTo(RequestTarget.Reason.CASE_VARIANT);
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
}
