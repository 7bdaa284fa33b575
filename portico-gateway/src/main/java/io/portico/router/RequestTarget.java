package io.portico.router;

import org.jspecify.annotations.Nullable;

/**
 * What {@link PathNormalizer#normalize} made of a request-target: either the normalized path with
 * its raw query, or the reason to answer 400.
 */
public sealed interface RequestTarget permits RequestTarget.Accepted, RequestTarget.Rejected {

  /**
   * A request-target the gateway may route and forward.
   *
   * @param path the normalized path, starting with {@code /} (or exactly {@code *} for the asterisk
   *     form, which the proxy answers itself for OPTIONS and rejects otherwise); the very instance
   *     given to the normalizer when the target was already normal and had no query
   * @param rawQuery the query as received (without {@code ?}), or null when the target had no
   *     {@code ?}
   * @param authority the authority of an absolute-form target ({@code host:port}), or null for
   *     origin form
   */
  record Accepted(String path, @Nullable String rawQuery, @Nullable String authority)
      implements RequestTarget {

    /** The path followed by {@code ?} and the raw query when there is one: what to forward. */
    public String pathAndQuery() {
      return rawQuery == null ? path : path + '?' + rawQuery;
    }
  }

  /** A request-target the gateway refuses with 400, and why. */
  record Rejected(Reason reason) implements RequestTarget {}

  /** Why a request-target was refused; {@link #rule()} is what was expected instead. */
  enum Reason {
    NOT_ORIGIN_FORM("a request-target starting with / or an absolute http(s) URI"),
    INVALID_AUTHORITY("an absolute URI with a non-empty authority and no user information"),
    INVALID_CHARACTER("printable ASCII characters, without # or space"),
    CONTROL_CHARACTER("no control character, plain or percent-encoded (such as %00)"),
    BACKSLASH("no backslash, plain or percent-encoded (%5C)"),
    ENCODED_SLASH("no percent-encoded slash (%2F)"),
    MALFORMED_ESCAPE("percent escapes of the form %XX with two hex digits"),
    ABOVE_ROOT("no .. segment that climbs above the root"),
    MATRIX_PARAMETER(
        "no ; in a path segment (servers such as Tomcat and Spring read it as a path parameter"
            + " and drop it, so /admin;x=1/ or /..;/ would reach another path than the one routed)"),
    SEGMENT_END(
        "no path segment ending with a dot, or starting or ending with whitespace such as %20"
            + " (servers on Windows trim them, so /admin./ would reach /admin/)"),
    CASE_VARIANT(
        "the letter case of the route's own path (the path differs only in case from a route's"
            + " literal path, which a case-insensitive server would read as that path)");

    private final String rule;

    Reason(String rule) {
      this.rule = rule;
    }

    /** The rule the target broke, phrased as what was expected. */
    public String rule() {
      return rule;
    }
  }
}
