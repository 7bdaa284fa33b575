package io.portico.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Jackson's message for a JSON syntax error, as a problem shows it: the first line, with the
 * parser's own source marker ({@code [Source: REDACTED (...); line: 2, column: 12]}, which names no
 * source) written as {@code line 2, column 12}.
 */
public final class JsonErrors {

  private static final Pattern SOURCE_MARK =
      Pattern.compile("\\[Source: [^;\\]]*; line: (\\d+), column: (\\d+)]");

  private JsonErrors() {}

  /** The readable message of {@code e}: {@code Unexpected end-of-input: expected close ...}. */
  public static String message(JsonProcessingException e) {
    return message(e.getOriginalMessage());
  }

  static String message(@Nullable String original) {
    if (original == null || original.isBlank()) {
      return "invalid JSON";
    }
    int nl = original.indexOf('\n');
    String first = nl < 0 ? original : original.substring(0, nl);
    return SOURCE_MARK.matcher(first).replaceAll("line $1, column $2").strip();
  }
}
