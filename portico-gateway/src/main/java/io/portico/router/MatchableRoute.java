package io.portico.router;

import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The router's own form of one added route: its spec, its payload, its compiled path patterns, and
 * its method, header and query conditions, compiled so that checking them allocates nothing.
 * Internal to the router; what a route carries for the proxy is the payload.
 */
final class MatchableRoute {

  final RouteSpec spec;
  final Object value;
  final int insertion;
  final int conditions;
  final List<CompiledPath> paths;
  private final String[] methods;
  private final String[] headerNames;
  private final String[] headerValues;
  private final byte[][] queryNames;
  private final byte[][] queryValues;

  MatchableRoute(RouteSpec spec, Object value, int insertion) {
    this.spec = spec;
    this.value = value;
    this.insertion = insertion;
    List<CompiledPath> paths = new ArrayList<>();
    if (spec.paths().isEmpty()) {
      paths.add(CompiledPath.of("/", false));
    }
    for (String path : spec.paths()) {
      paths.add(CompiledPath.of(path, spec.exact()));
    }
    this.paths = List.copyOf(paths);
    this.methods = spec.methods().toArray(new String[0]);
    this.headerNames = spec.headers().keySet().toArray(new String[0]);
    this.headerValues = spec.headers().values().toArray(new String[0]);
    this.queryNames = new byte[spec.query().size()][];
    this.queryValues = new byte[spec.query().size()][];
    int i = 0;
    for (Map.Entry<String, String> entry : spec.query().entrySet()) {
      queryNames[i] = entry.getKey().getBytes(StandardCharsets.UTF_8);
      queryValues[i] =
          entry.getValue() == null ? null : entry.getValue().getBytes(StandardCharsets.UTF_8);
      i++;
    }
    this.conditions = (methods.length > 0 ? 1 : 0) + headerNames.length + queryNames.length;
  }

  /** Whether the request meets every method, header and query condition. */
  boolean accepts(String method, HttpHeaders headers, @Nullable String rawQuery) {
    if (conditions == 0) {
      return true;
    }
    if (methods.length > 0 && !contains(methods, method)) {
      return false;
    }
    for (int i = 0; i < headerNames.length; i++) {
      if (headers == null || !headers.contains(headerNames[i], headerValues[i], false)) {
        return false;
      }
    }
    for (int i = 0; i < queryNames.length; i++) {
      if (!hasQueryParameter(rawQuery, queryNames[i], queryValues[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean contains(String[] values, String value) {
    for (String candidate : values) {
      if (candidate.equals(value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the raw query has a parameter named {@code name} (decoded: percent escapes and {@code
   * +}), with the decoded {@code value} when it is not null.
   */
  static boolean hasQueryParameter(@Nullable String rawQuery, byte[] name, byte[] value) {
    if (rawQuery == null) {
      return false;
    }
    int length = rawQuery.length();
    int start = 0;
    while (start <= length) {
      int end = rawQuery.indexOf('&', start);
      if (end < 0) {
        end = length;
      }
      if (end > start) {
        int equals = rawQuery.indexOf('=', start);
        int nameEnd = equals < 0 || equals > end ? end : equals;
        if (decodedEquals(rawQuery, start, nameEnd, name)
            && (value == null
                || decodedEquals(rawQuery, nameEnd == end ? end : nameEnd + 1, end, value))) {
          return true;
        }
      }
      start = end + 1;
    }
    return false;
  }

  private static boolean decodedEquals(String raw, int from, int to, byte[] expected) {
    int k = 0;
    int i = from;
    while (i < to) {
      char c = raw.charAt(i);
      int b;
      if (c == '%' && i + 2 < to) {
        b = PathNormalizer.hexPair(raw.charAt(i + 1), raw.charAt(i + 2));
        if (b < 0) {
          b = '%';
          i++;
        } else {
          i += 3;
        }
      } else {
        b = c == '+' ? ' ' : c;
        i++;
      }
      if (b > 0xFF || k >= expected.length || (expected[k] & 0xFF) != b) {
        return false;
      }
      k++;
    }
    return k == expected.length;
  }
}
