package io.portico.config;

import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in scalar values with environment
 * variables. {@code $${} writes a literal {@code ${}. As in a POSIX shell, a default is used when
 * the variable is unset or empty; a variable set to the empty string without a default yields the
 * empty string.
 *
 * <p>A reference that starts with a lower-case letter is not an environment variable and is left
 * as written: those are the variables plugins expand per request ({@code ${client_ip}}, {@code
 * ${path_param.id}}), so that they can be written in the file as their documentation shows; so is
 * its escape <code>$${request_id}</code>, which the template language turns into a literal <code>
 * ${request_id}</code>.
 */
final class Interpolator {

  /** The text with every reference replaced, or the first error found in it. */
  record Result(@Nullable String text, @Nullable String error) {}

  private final Function<String, String> env;

  Interpolator(Function<String, String> env) {
    this.env = env;
  }

  Result apply(String text) {
    if (text.indexOf('$') < 0) {
      return new Result(text, null);
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && text.startsWith("$${", i) && isPluginVariable(text, i + 3)) {
        out.append("$${");
        i += 3;
      } else if (c == '$' && text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (c == '$' && text.startsWith("${", i) && isPluginVariable(text, i + 2)) {
        out.append("${");
        i += 2;
      } else if (c == '$' && text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          return new Result(
              null,
              text.substring(i)
                  + ": unterminated reference (expected: ${NAME} or ${NAME:-default}; write $${"
                  + " for a literal ${)");
        }
        String reference = text.substring(i + 2, end);
        int dash = reference.indexOf(":-");
        String name = dash < 0 ? reference : reference.substring(0, dash);
        String fallback = dash < 0 ? null : reference.substring(dash + 2);
        if (!isName(name)) {
          return new Result(
              null,
              "${"
                  + reference
                  + "}: invalid reference (expected: ${NAME} or ${NAME:-default} where NAME is"
                  + " letters, digits and _)");
        }
        String value = env.apply(name);
        if (fallback != null && (value == null || value.isEmpty())) {
          value = fallback;
        } else if (value == null) {
          return new Result(
              null,
              "${"
                  + name
                  + "}: not set (expected: an environment variable, or a default with ${"
                  + name
                  + ":-value})");
        }
        out.append(value);
        i = end + 1;
      } else {
        out.append(c);
        i++;
      }
    }
    return new Result(out.toString(), null);
  }

  private static boolean isPluginVariable(String text, int start) {
    return start < text.length() && text.charAt(start) >= 'a' && text.charAt(start) <= 'z';
  }

  private static boolean isName(String name) {
    if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c == '_'
          || (c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }
}
