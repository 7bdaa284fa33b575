package io.portico.plugins.auth.token;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reads claim values the way the token plugins need them: as text, as a set of words. */
final class ClaimValues {

  private ClaimValues() {}

  /**
   * A claim as header text: a string as it is, a list joined with commas, a number or boolean as
   * written, an object as JSON; null when absent. Whether the text can be a header value is decided
   * where every forwarded value is ({@link io.portico.plugins.auth.HeaderValues}): a claim with a
   * control character fails the credential rather than silently disappearing.
   */
  static @Nullable String text(@Nullable Object value) {
    if (value == null) {
      return null;
    }
    String text;
    if (value instanceof String s) {
      text = s;
    } else if (value instanceof Collection<?> c) {
      List<String> parts = new ArrayList<>();
      for (Object o : c) {
        parts.add(String.valueOf(o));
      }
      text = String.join(",", parts);
    } else if (value instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> json = (Map<String, Object>) m;
      text = JSONObjectUtils.toJSONString(json);
    } else if (value instanceof java.util.Date d) {
      text = Long.toString(d.getTime() / 1000);
    } else {
      text = String.valueOf(value);
    }
    return text;
  }

  /**
   * A claim as a set of words: a space-separated string ({@code scope}) or a list of strings
   * ({@code scp}, {@code roles}); empty when absent or of another type. A dotted name ({@code
   * realm_access.roles}) walks into nested objects.
   */
  static Set<String> words(Map<String, Object> claims, String name) {
    Object value = lookup(claims, name);
    Set<String> out = new LinkedHashSet<>();
    if (value instanceof String s) {
      for (String w : s.split(" ")) {
        if (!w.isEmpty()) {
          out.add(w);
        }
      }
    } else if (value instanceof Collection<?> c) {
      for (Object o : c) {
        if (o instanceof String s) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** A claim by name; a dotted name walks into nested objects when there is no literal match. */
  static @Nullable Object lookup(Map<String, Object> claims, String name) {
    Object direct = claims.get(name);
    if (direct != null || name.indexOf('.') < 0) {
      return direct;
    }
    Object current = claims;
    for (String part : name.split("\\.")) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(part);
    }
    return current;
  }
}
