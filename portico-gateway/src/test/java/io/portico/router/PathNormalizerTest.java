package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.router.RequestTarget.Accepted;
import io.portico.router.RequestTarget.Reason;
import io.portico.router.RequestTarget.Rejected;
import org.junit.jupiter.api.Test;

class PathNormalizerTest {

  private static Accepted accepted(String target) {
    RequestTarget result = PathNormalizer.normalize(target);
    assertThat(result).as(target).isInstanceOf(Accepted.class);
    return (Accepted) result;
  }

  private static String path(String target) {
    return accepted(target).path();
  }

  private static Reason rejection(String target) {
    RequestTarget result = PathNormalizer.normalize(target);
    assertThat(result).as(target).isInstanceOf(Rejected.class);
    return ((Rejected) result).reason();
  }

  @Test
  void returnsTheSameInstanceWhenThePathIsAlreadyNormal() {
    for (String target :
        new String[] {"/", "/a/b/c", "/a/b/", "/a%20b", "/%2561", "/a/.../b", "/.well-known/x"}) {
      assertThat(path(target)).as(target).isSameAs(target);
    }
  }

  @Test
  void splitsOffTheRawQueryWithoutTouchingIt() {
    Accepted target = accepted("/a/./b?x=%2F..&y");

    assertThat(target.path()).isEqualTo("/a/b");
    assertThat(target.rawQuery()).isEqualTo("x=%2F..&y");
    assertThat(target.authority()).isNull();
    assertThat(target.pathAndQuery()).isEqualTo("/a/b?x=%2F..&y");
    assertThat(accepted("/a?").rawQuery()).isEmpty();
    assertThat(accepted("/a").rawQuery()).isNull();
    assertThat(accepted("/a").pathAndQuery()).isEqualTo("/a");
  }

  @Test
  void decodesOnlyUnreservedEscapes() {
    assertThat(path("/%61%62%2D%2e%5F%7e%7E%30")).isEqualTo("/ab-._~~0");
    assertThat(path("/%2561")).isEqualTo("/%2561");
    assertThat(path("/a%20b%3a%3F%41")).isEqualTo("/a%20b%3A%3FA");
    assertThat(path("/caf%C3%A9")).isEqualTo("/caf%C3%A9");
  }

  @Test
  void upperCasesTheHexDigitsOfTheEscapesItKeeps() {
    assertThat(path("/a%3ab")).isEqualTo("/a%3Ab");
    assertThat(path("/caf%c3%a9/x")).isEqualTo("/caf%C3%A9/x");
    assertThat(path("/a%3Ab")).isSameAs(path("/a%3Ab")).isEqualTo("/a%3Ab");
  }

  @Test
  void strictPolicyRefusesMatrixParametersAndSegmentEndsServersTrim() {
    assertThat(PathNormalizer.strictRefusal("/admin;x=1/users")).isEqualTo(Reason.MATRIX_PARAMETER);
    assertThat(PathNormalizer.strictRefusal("/api/..;/internal"))
        .isEqualTo(Reason.MATRIX_PARAMETER);
    assertThat(PathNormalizer.strictRefusal("/a%3Bb")).isEqualTo(Reason.MATRIX_PARAMETER);
    assertThat(PathNormalizer.strictRefusal("/a%3bb")).isEqualTo(Reason.MATRIX_PARAMETER);
    assertThat(PathNormalizer.strictRefusal("/admin./users")).isEqualTo(Reason.SEGMENT_END);
    assertThat(PathNormalizer.strictRefusal("/admin..")).isEqualTo(Reason.SEGMENT_END);
    assertThat(PathNormalizer.strictRefusal("/admin%20/users")).isEqualTo(Reason.SEGMENT_END);
    assertThat(PathNormalizer.strictRefusal("/%20admin")).isEqualTo(Reason.SEGMENT_END);
    assertThat(PathNormalizer.strictRefusal("/admin%c2%a0/x")).isEqualTo(Reason.SEGMENT_END);

    assertThat(PathNormalizer.strictRefusal("/")).isNull();
    assertThat(PathNormalizer.strictRefusal("/api/users/")).isNull();
    assertThat(PathNormalizer.strictRefusal("/api/v1.2/report.pdf")).isNull();
    assertThat(PathNormalizer.strictRefusal("/api/a%20b")).isNull();
    assertThat(PathNormalizer.strictRefusal("/api//x")).isNull();
  }

  @Test
  void resolvesDotSegments() {
    assertThat(path("/a/./b")).isEqualTo("/a/b");
    assertThat(path("/a/b/../c")).isEqualTo("/a/c");
    assertThat(path("/a/b/..")).isEqualTo("/a/");
    assertThat(path("/a/.")).isEqualTo("/a/");
    assertThat(path("/a/..")).isEqualTo("/");
    assertThat(path("/.")).isEqualTo("/");
    assertThat(path("/a/b/../../c/./d/")).isEqualTo("/c/d/");
  }

  @Test
  void resolvesPercentEncodedDotSegments() {
    assertThat(path("/a/%2e%2e/b")).isEqualTo("/b");
    assertThat(path("/a/%2E/b")).isEqualTo("/a/b");
    assertThat(path("/a/.%2E/b")).isEqualTo("/b");
    assertThat(path("/a/%2e%2e%2e/b")).isEqualTo("/a/.../b");
  }

  @Test
  void mergesRepeatedSlashes() {
    assertThat(path("//admin")).isEqualTo("/admin");
    assertThat(path("/a//b///c//")).isEqualTo("/a/b/c/");
    assertThat(path("//")).isEqualTo("/");
  }

  @Test
  void rejectsDotSegmentsThatClimbAboveTheRoot() {
    assertThat(rejection("/..")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(rejection("/../a")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(rejection("/a/../..")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(rejection("/a/../../b")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(rejection("/%2e%2e/")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(rejection("//.//../a")).isEqualTo(Reason.ABOVE_ROOT);
  }

  @Test
  void rejectsPathWithEncodedSlash() {
    assertThat(rejection("/a/..%2fb")).isEqualTo(Reason.ENCODED_SLASH);
    assertThat(rejection("/a%2Fb")).isEqualTo(Reason.ENCODED_SLASH);
  }

  @Test
  void rejectsBackslashPlainOrEncoded() {
    assertThat(rejection("/a\\b")).isEqualTo(Reason.BACKSLASH);
    assertThat(rejection("/a/..%5c..%5cetc")).isEqualTo(Reason.BACKSLASH);
    assertThat(rejection("/a%5C")).isEqualTo(Reason.BACKSLASH);
  }

  @Test
  void rejectsControlCharactersPlainOrEncoded() {
    assertThat(rejection("/a%00")).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(rejection("/a%0d%0aX-Injected:%201")).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(rejection("/a%7F")).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(rejection("/a\u0000b")).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(rejection("/a\tb")).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(rejection("/a\u007f")).isEqualTo(Reason.CONTROL_CHARACTER);
    assertThat(rejection("/a?x=\r\n")).isEqualTo(Reason.CONTROL_CHARACTER);
  }

  @Test
  void rejectsMalformedPercentEscapes() {
    assertThat(rejection("/a%")).isEqualTo(Reason.MALFORMED_ESCAPE);
    assertThat(rejection("/a%4")).isEqualTo(Reason.MALFORMED_ESCAPE);
    assertThat(rejection("/a%4?x")).isEqualTo(Reason.MALFORMED_ESCAPE);
    assertThat(rejection("/a%zz")).isEqualTo(Reason.MALFORMED_ESCAPE);
    assertThat(rejection("/a%4g/b")).isEqualTo(Reason.MALFORMED_ESCAPE);
    assertThat(rejection("/a%%41")).isEqualTo(Reason.MALFORMED_ESCAPE);
  }

  @Test
  void rejectsCharactersOutsidePrintableAscii() {
    assertThat(rejection("/caf\u00e9")).isEqualTo(Reason.INVALID_CHARACTER);
    assertThat(rejection("/a#frag")).isEqualTo(Reason.INVALID_CHARACTER);
    assertThat(rejection("/a b")).isEqualTo(Reason.INVALID_CHARACTER);
    assertThat(rejection("/a?q=\u00e9")).isEqualTo(Reason.INVALID_CHARACTER);
  }

  @Test
  void rejectsTargetsNotInOriginOrAbsoluteForm() {
    assertThat(rejection("")).isEqualTo(Reason.NOT_ORIGIN_FORM);
    assertThat(rejection("a/b")).isEqualTo(Reason.NOT_ORIGIN_FORM);
    assertThat(rejection("?x=1")).isEqualTo(Reason.NOT_ORIGIN_FORM);
    assertThat(rejection("example.com:443")).isEqualTo(Reason.NOT_ORIGIN_FORM);
    assertThat(rejection("ftp://example.com/a")).isEqualTo(Reason.NOT_ORIGIN_FORM);
    assertThat(rejection("**")).isEqualTo(Reason.NOT_ORIGIN_FORM);
  }

  @Test
  void acceptsAsteriskFormAsIs() {
    Accepted target = accepted("*");

    assertThat(target.path()).isEqualTo("*");
    assertThat(target.rawQuery()).isNull();
  }

  @Test
  void extractsPathAndAuthorityFromAbsoluteForm() {
    Accepted target = accepted("http://Example.com:8080/a/../b?x=1");

    assertThat(target.authority()).isEqualTo("Example.com:8080");
    assertThat(target.path()).isEqualTo("/b");
    assertThat(target.rawQuery()).isEqualTo("x=1");

    Accepted bare = accepted("HTTPS://example.com");
    assertThat(bare.authority()).isEqualTo("example.com");
    assertThat(bare.path()).isEqualTo("/");

    Accepted queryOnly = accepted("http://example.com?y");
    assertThat(queryOnly.path()).isEqualTo("/");
    assertThat(queryOnly.rawQuery()).isEqualTo("y");

    assertThat(accepted("http://[::1]:8080/x").authority()).isEqualTo("[::1]:8080");
  }

  @Test
  void rejectsAbsoluteFormWithoutHostOrWithUserInformation() {
    assertThat(rejection("http:///a")).isEqualTo(Reason.INVALID_AUTHORITY);
    assertThat(rejection("http://user:pw@example.com/")).isEqualTo(Reason.INVALID_AUTHORITY);
    assertThat(rejection("http://exa mple.com/")).isEqualTo(Reason.INVALID_CHARACTER);
  }

  @Test
  void absoluteFormPathIsCheckedLikeOriginForm() {
    assertThat(rejection("http://example.com/a%2fb")).isEqualTo(Reason.ENCODED_SLASH);
    assertThat(rejection("http://example.com/..")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(path("http://example.com//admin")).isEqualTo("/admin");
  }

  @Test
  void reasonsStateTheExpectedRule() {
    assertThat(Reason.ENCODED_SLASH.rule()).isEqualTo("no percent-encoded slash (%2F)");
  }

  @Test
  void anEqualTargetGetsTheThreadsLastResultAndAnotherItsOwn() {
    Accepted first = accepted(new String("/api/items?page=2"));
    Accepted again = accepted(new String("/api/items?page=2"));
    assertThat(again).isSameAs(first);

    Accepted other = accepted(new String("/api/./orders?page=3"));
    assertThat(other.path()).isEqualTo("/api/orders");
    assertThat(other.rawQuery()).isEqualTo("page=3");
    // a rejection in between leaves the last accepted result, and is never given for it
    assertThat(rejection("/a/../../b")).isEqualTo(Reason.ABOVE_ROOT);
    assertThat(accepted(new String("/api/./orders?page=3"))).isSameAs(other);
    assertThat(rejection("/a/../../b")).isEqualTo(Reason.ABOVE_ROOT);

    Accepted back = accepted(new String("/api/items?page=2"));
    assertThat(back.path()).isEqualTo("/api/items");
    assertThat(back.rawQuery()).isEqualTo("page=2");
    assertThat(accepted("http://example.com/api/items?page=2").authority())
        .isEqualTo("example.com");
    assertThat(accepted("/api/items?page=2").authority()).isNull();
  }
}
