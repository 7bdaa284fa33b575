package io.portico.router;

import java.util.Map;

/**
 * The route a request matched, with what the proxy needs to forward it.
 *
 * <p>{@code matchedPrefix} is the leading part of {@code path} that the pattern matched, never
 * ending with {@code /}: the literal prefix for literal patterns ({@code /api} for {@code /api} and
 * {@code /api/}, empty for {@code /}), the path up to the end of the last template segment for
 * templates ({@code /users/42} for {@code /users/{id}}), the path before the catch-all for {@code
 * {*rest}}, and the region a regex matched. The rest of the path, after it, always starts with
 * {@code /} or is empty.
 *
 * @param value the route's payload, as given to {@link Router.Builder#add}
 * @param spec the route's spec
 * @param pattern the path pattern that matched, as written in {@code spec.paths()}
 * @param path the normalized request path that was matched
 * @param pathParameters template variables (or regex named groups) to their values, still
 *     percent-encoded as in {@code path}; the empty singleton when none
 * @param matchedPrefix the part of {@code path} the pattern matched, as described above
 * @param matchedLength how many leading characters of {@code path} the pattern consumed
 */
public record RouteMatch<T>(
    T value,
    RouteSpec spec,
    String pattern,
    String path,
    Map<String, String> pathParameters,
    String matchedPrefix,
    int matchedLength) {

  /**
   * The path with {@link #matchedPrefix()} removed, for strip-prefix: {@code /api/users} matched by
   * {@code /api} gives {@code /users}; {@code /api} gives {@code /}.
   */
  public String strippedPath() {
    return join("", path.length() - matchedPrefix.length());
  }

  /**
   * The path with its consumed part ({@link #matchedLength()}) replaced by {@code rewrite} filled
   * from {@link #pathParameters()}, for rewrite-path: {@code /api/users/42/orders} matched by
   * prefix {@code /api/users/{id}} and rewritten with {@code /v2/people/{id}} gives {@code
   * /v2/people/42/orders}. For exact matches and catch-alls nothing is left over and the result is
   * the filled template: {@code /old/a/b} matched by {@code /old/{*rest}} and rewritten with {@code
   * /new/{*rest}} gives {@code /new/a/b}.
   */
  public String rewrittenPath(PathTemplate rewrite) {
    return join(rewrite.expand(pathParameters), path.length() - matchedLength);
  }

  private String join(String head, int restLength) {
    if (restLength == 0) {
      return head.isEmpty() ? "/" : head;
    }
    String rest = path.substring(path.length() - restLength);
    if (head.isEmpty()) {
      return rest.charAt(0) == '/' ? rest : '/' + rest;
    }
    boolean headSlash = head.charAt(head.length() - 1) == '/';
    boolean restSlash = rest.charAt(0) == '/';
    if (headSlash && restSlash) {
      return head + rest.substring(1);
    }
    return headSlash || restSlash ? head + rest : head + '/' + rest;
  }
}
