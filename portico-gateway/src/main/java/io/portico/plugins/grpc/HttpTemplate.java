package io.portico.plugins.grpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A {@code google.api.http} path template, compiled once: literal segments, {@code *} (one
 * segment), {@code **} (the rest of the path, last), variables ({@code {name}}, {@code
 * {book.name=shelves/*}/books/*}}) and a verb ({@code :search}).
 *
 * <pre>
 *   Template = "/" Segments [ Verb ] ;
 *   Segments = Segment { "/" Segment } ;
 *   Segment  = "*" | "**" | LITERAL | Variable ;
 *   Variable = "{" FieldPath [ "=" Segments ] "}" ;
 *   Verb     = ":" LITERAL ;
 * </pre>
 *
 * <p>A variable of one segment is percent-decoded; a variable of several keeps {@code %2F} so its
 * slashes stay apart from the escaped ones. Immutable.
 */
final class HttpTemplate {

  /** A template that does not follow the grammar. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  private static final String ONE = "*";
  private static final String REST = "**";

  private final String text;
  private final List<String> segments;
  private final List<Variable> variables;
  private final @Nullable String verb;

  /**
   * One variable: the field path it sets and the segments [start, end) it covers (end -1: rest).
   */
  record Variable(String fieldPath, int start, int end) {}

  private HttpTemplate(
      String text, List<String> segments, List<Variable> variables, @Nullable String verb) {
    this.text = text;
    this.segments = segments;
    this.variables = variables;
    this.verb = verb;
  }

  static HttpTemplate parse(String text) throws Invalid {
    if (!text.startsWith("/")) {
      throw new Invalid("\"" + text + "\" (expected: a path template starting with /)");
    }
    String body = text.substring(1);
    String verb = null;
    int lastSlash = body.lastIndexOf('/');
    int lastBrace = body.lastIndexOf('}');
    int colon = body.indexOf(':', Math.max(lastSlash, lastBrace) + 1);
    if (colon >= 0) {
      verb = body.substring(colon + 1);
      body = body.substring(0, colon);
      if (verb.isEmpty() || verb.contains("/")) {
        throw new Invalid("\"" + text + "\" has an empty or malformed verb");
      }
    }
    List<String> segments = new ArrayList<>();
    List<Variable> variables = new ArrayList<>();
    int i = 0;
    while (i <= body.length()) {
      if (i < body.length() && body.charAt(i) == '{') {
        int close = body.indexOf('}', i);
        if (close < 0) {
          throw new Invalid("\"" + text + "\" has an unclosed {");
        }
        String inside = body.substring(i + 1, close);
        int eq = inside.indexOf('=');
        String field = eq < 0 ? inside : inside.substring(0, eq);
        if (!field.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
          throw new Invalid("\"" + text + "\" has a variable with no valid field path: " + inside);
        }
        int start = segments.size();
        String[] sub = eq < 0 ? new String[] {ONE} : inside.substring(eq + 1).split("/", -1);
        for (String s : sub) {
          if (s.isEmpty() || s.contains("{") || s.contains("}")) {
            throw new Invalid("\"" + text + "\" has an empty or nested segment in " + inside);
          }
          segments.add(s);
        }
        variables.add(new Variable(field, start, segments.size()));
        i = close + 1;
        if (i < body.length() && body.charAt(i) != '/') {
          throw new Invalid("\"" + text + "\" has text after a variable within a segment");
        }
        i++;
      } else {
        int slash = body.indexOf('/', i);
        int end = slash < 0 ? body.length() : slash;
        String s = body.substring(i, end);
        if (s.isEmpty() || s.contains("{") || s.contains("}")) {
          throw new Invalid("\"" + text + "\" has an empty or malformed segment");
        }
        segments.add(s);
        i = end + 1;
      }
    }
    for (int s = 0; s < segments.size(); s++) {
      if (segments.get(s).equals(REST) && s != segments.size() - 1) {
        throw new Invalid("\"" + text + "\" has ** before its last segment");
      }
    }
    return new HttpTemplate(text, List.copyOf(segments), List.copyOf(variables), verb);
  }

  String text() {
    return text;
  }

  List<Variable> variables() {
    return variables;
  }

  /** Literal segments: more of them makes a template more specific. */
  int literals() {
    int n = 0;
    for (String s : segments) {
      if (!s.equals(ONE) && !s.equals(REST)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Matches a normalized request path (no query); returns each variable's field path and value, or
   * null when the path does not match.
   */
  @Nullable Map<String, String> match(String path) {
    if (!path.startsWith("/")) {
      return null;
    }
    String rest = path.substring(1);
    if (verb != null) {
      if (!rest.endsWith(":" + verb)) {
        return null;
      }
      rest = rest.substring(0, rest.length() - verb.length() - 1);
    } else if (rest.lastIndexOf(':') > rest.lastIndexOf('/') && !endsWithRest()) {
      return null;
    }
    String[] parts = rest.split("/", -1);
    boolean tail = endsWithRest();
    int fixed = tail ? segments.size() - 1 : segments.size();
    if (tail ? parts.length < fixed : parts.length != fixed) {
      return null;
    }
    for (int s = 0; s < fixed; s++) {
      String want = segments.get(s);
      if (parts[s].isEmpty() || !want.equals(ONE) && !want.equals(parts[s])) {
        return null;
      }
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Variable v : variables) {
      int end = v.end() == segments.size() && tail ? parts.length : v.end();
      if (v.end() - v.start() == 1 && !(tail && v.end() == segments.size())) {
        values.put(v.fieldPath(), decode(parts[v.start()], true));
      } else {
        values.put(
            v.fieldPath(), decode(String.join("/", List.of(parts).subList(v.start(), end)), false));
      }
    }
    return values;
  }

  private boolean endsWithRest() {
    return !segments.isEmpty() && segments.get(segments.size() - 1).equals(REST);
  }

  /** Percent-decodes {@code s}; {@code %2F} only when {@code slashes}. */
  static String decode(String s, boolean slashes) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        int v = Character.digit(s.charAt(i + 1), 16) << 4 | Character.digit(s.charAt(i + 2), 16);
        if (v >= 0 && (slashes || v != '/')) {
          out.write(v);
          i += 2;
          continue;
        }
      }
      byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return text;
  }
}
