package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Which route wins: hosts, priorities, path kinds, conditions, order and addition. */
class RouterPrecedenceTest extends RouterCases {

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
}
