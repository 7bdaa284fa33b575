package io.portico.admin;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The search and paging of the object lists ({@code GET /services}, {@code /routes}, {@code
 * /consumers}, {@code /plugins}): {@code q}, a case-insensitive substring of what an item is
 * searched by; {@code limit} (all when absent, at most {@value #MAX_LIMIT}) and {@code offset}. The
 * lists answer {@code total}, the count after the search, beside the page.
 *
 * @param q the search text, lower-cased; empty for all
 * @param limit the page's size; {@link Integer#MAX_VALUE} for all
 */
record ListQuery(String q, int limit, int offset) {

  static final int MAX_LIMIT = 500;

  /** A page of items and the count of those matching. */
  record Page<T>(List<T> items, int total) {}

  /** The query of a request, or the 400 that says which parameter is wrong. */
  sealed interface Parsed {
    record Ok(ListQuery query) implements Parsed {}

    record Bad(FullHttpResponse response) implements Parsed {}
  }

  static Parsed parse(QueryStringDecoder decoder) {
    String q = param(decoder, "q");
    String limitText = param(decoder, "limit");
    String offsetText = param(decoder, "offset");
    int limit = limitText == null ? Integer.MAX_VALUE : number(limitText);
    if (limitText != null && (limit < 1 || limit > MAX_LIMIT)) {
      return bad("limit", limitText, "a number from 1 to " + MAX_LIMIT);
    }
    int offset = offsetText == null ? 0 : number(offsetText);
    if (offsetText != null && offset < 0) {
      return bad("offset", offsetText, "a number from 0");
    }
    if (q != null && q.length() > 200) {
      return bad("q", q.substring(0, 20) + "…", "at most 200 characters");
    }
    return new Parsed.Ok(new ListQuery(q == null ? "" : q.toLowerCase(Locale.ROOT), limit, offset));
  }

  /** Whether any of {@code texts} contains the search text, case aside. */
  boolean matches(Iterable<String> texts) {
    if (q.isEmpty()) {
      return true;
    }
    for (String t : texts) {
      if (t.toLowerCase(Locale.ROOT).contains(q)) {
        return true;
      }
    }
    return false;
  }

  /** The page of {@code all} that match, each searched by {@code searchedBy}. */
  <T> Page<T> page(Iterable<T> all, Function<T, Iterable<String>> searchedBy) {
    List<T> out = new ArrayList<>();
    int total = 0;
    for (T item : all) {
      if (!matches(searchedBy.apply(item))) {
        continue;
      }
      if (total >= offset && out.size() < limit) {
        out.add(item);
      }
      total++;
    }
    return new Page<>(out, total);
  }

  private static Parsed bad(String name, String value, String expected) {
    return new Parsed.Bad(
        AdminHandler.problem(
            HttpResponseStatus.BAD_REQUEST,
            "admin-bad-request",
            name + ": \"" + value + "\" (expected: " + expected + ")"));
  }

  private static @Nullable String param(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** A decimal number up to 9 digits, or -1. */
  private static int number(String text) {
    if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(text);
  }
}
