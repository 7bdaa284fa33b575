package io.portico.template;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Parses template text into {@link Part}s, reporting every problem at the place in the text where it
 * lies: the column of a problem points at its {@code ${} when the value sits on one line of the
 * document.
 */
final class TemplateCompiler {

  static final String POINTER_RULE =
      "a JSON Pointer such as /user/id: \"/\" before each member, ~0 for ~ and ~1 for /";

  private static final JsonFactory JSON = new JsonFactory();

  private final ConfigNode node;
  private final String text;
  private final Scope scope;
  private final Destination destination;
  private final Set<String> backends;
  private final Problems problems;
  private final List<Part> parts = new ArrayList<>();
  private final StringBuilder literal = new StringBuilder();
  private boolean valid = true;

  private TemplateCompiler(
      ConfigNode node,
      String text,
      Scope scope,
      Destination destination,
      Set<String> backends,
      Problems problems) {
    this.node = node;
    this.backends = backends;
    this.text = text;
    this.scope = scope;
    this.destination = destination;
    this.problems = problems;
  }

  /** The parts of {@code node}'s text, or null when a problem was reported. */
  static @Nullable List<Part> compile(
      ConfigNode node,
      Scope scope,
      Destination destination,
      Set<String> backends,
      Problems problems) {
    String text = node.text();
    if (!node.isScalar() || text == null) {
      problems.expected(node, "a template string");
      return null;
    }
    return new TemplateCompiler(node, text, scope, destination, backends, problems).parse();
  }

  private @Nullable List<Part> parse() {
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        literal.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          report(i, node.describe() + " (expected: every ${ closed by })");
          return null;
        }
        hole(i, end);
        i = end + 1;
      } else {
        literal.append(text.charAt(i++));
      }
    }
    flushLiteral();
    if (parts.isEmpty()) {
      parts.add(new Literal(""));
    }
    if (valid && destination == Destination.JSON) {
      checkJson();
    }
    return valid ? parts : null;
  }

  /** The variable written from {@code start} (its {@code ${}) to {@code end} (its {@code }}). */
  private void hole(int start, int end) {
    String written = text.substring(start, end + 1);
    String reference = text.substring(start + 2, end);
    int dash = reference.indexOf(":-");
    String spec = dash < 0 ? reference : reference.substring(0, dash);
    String fallback = dash < 0 ? null : reference.substring(dash + 2);
    if (spec.isEmpty()) {
      report(start, '"' + written + "\" (expected: a variable name between ${ and })");
      return;
    }
    if (fallback != null && !destination.accepts(fallback)) {
      report(start + 2 + dash + 2, '"' + fallback + "\" (expected: " + destination.rule() + ")");
    }
    Hole hole = resolve(start, spec, fallback, written);
    if (hole == null) {
      return;
    }
    if (!scope.offers(hole.variable())) {
      report(
          start,
          hole.variable().written()
              + " is not available in "
              + scope.description()
              + " (expected: one of "
              + describe(scope)
              + ")");
      return;
    }
    flushLiteral();
    parts.add(hole);
  }

  private @Nullable Hole resolve(
      int start, String spec, @Nullable String fallback, String written) {
    for (Variable variable : Variable.values()) {
      String name = variable.variableName();
      switch (variable.form()) {
        case PLAIN -> {
          if (spec.equals(name)) {
            return new Hole(variable, null, null, null, fallback, written);
          }
        }
        case NAMED -> {
          if (spec.startsWith(name + ".")) {
            return named(start, variable, spec.substring(name.length() + 1), fallback, written);
          }
        }
        case POINTER -> {
          if (spec.equals(name)) {
            return new Hole(variable, null, null, null, fallback, written);
          }
          if (spec.startsWith(name + ".")) {
            return pointer(start, variable, spec.substring(name.length() + 1), fallback, written);
          }
        }
        case NAMED_POINTER -> {
          if (spec.startsWith(name + ".")) {
            return backend(start, variable, spec.substring(name.length() + 1), fallback, written);
          }
        }
      }
    }
    report(start, "unknown variable ${" + spec + "} (expected: one of " + describe(scope) + ")");
    return null;
  }

  private @Nullable Hole named(
      int start, Variable variable, String argument, @Nullable String fallback, String written) {
    if (argument.isEmpty()) {
      report(start, written + " (expected: " + variable.written() + " with a name after the dot)");
      return null;
    }
    if (variable == Variable.HEADER || variable == Variable.RESPONSE_HEADER) {
      if (!Encodings.isToken(argument)) {
        report(
            start,
            written + ": \"" + argument + "\" (expected: " + Encodings.HEADER_NAME_RULE + ")");
        return null;
      }
      return new Hole(variable, argument, AsciiString.of(argument), null, fallback, written);
    }
    return new Hole(variable, argument, null, null, fallback, written);
  }

  /**
   * {@code ${backend.NAME}} or {@code ${backend.NAME./POINTER}}: the name ends where {@code ./}
   * starts the pointer (a backend name holds no {@code /}); it must be one the template may read.
   */
  private @Nullable Hole backend(
      int start, Variable variable, String rest, @Nullable String fallback, String written) {
    int cut = rest.indexOf("./");
    String name = cut < 0 ? rest : rest.substring(0, cut);
    String pointer = cut < 0 ? null : rest.substring(cut + 1);
    if (name.isEmpty()) {
      report(start, written + " (expected: " + variable.written() + " with a backend name)");
      return null;
    }
    if (scope.offers(variable) && !backends.contains(name)) {
      report(
          start,
          written
              + ": backend \""
              + name
              + "\" is not one this backend waits for (expected: "
              + (backends.isEmpty()
                  ? "a backend named in its after list"
                  : "one of its after list: " + String.join(", ", new TreeSet<>(backends)))
              + ")");
      return null;
    }
    if (pointer == null) {
      return new Hole(variable, name, null, null, fallback, written);
    }
    if (!isPointer(pointer)) {
      report(start, written + ": \"" + pointer + "\" (expected: " + POINTER_RULE + ")");
      return null;
    }
    return new Hole(variable, name, null, JsonPointer.compile(pointer), fallback, written);
  }

  private @Nullable Hole pointer(
      int start, Variable variable, String pointer, @Nullable String fallback, String written) {
    if (!isPointer(pointer)) {
      report(start, written + ": \"" + pointer + "\" (expected: " + POINTER_RULE + ")");
      return null;
    }
    return new Hole(variable, pointer, null, JsonPointer.compile(pointer), fallback, written);
  }

  /**
   * A JSON template must be JSON text once every variable is a value: checked with each variable
   * written as {@code null}, so a missing quote or brace is a config problem, not a broken body.
   */
  private void checkJson() {
    StringBuilder skeleton = new StringBuilder(text.length());
    for (Part part : parts) {
      if (part instanceof Literal l) {
        skeleton.append(l.text());
      } else {
        Hole hole = (Hole) part;
        skeleton.append(hole.fallback() == null ? "null" : hole.fallback());
      }
    }
    try (JsonParser parser = JSON.createParser(skeleton.toString())) {
      if (parser.nextToken() == null) {
        throw new JsonParseException(parser, "no JSON value");
      }
      parser.skipChildren();
      if (parser.nextToken() != null) {
        throw new JsonParseException(parser, "more than one JSON value");
      }
    } catch (IOException e) {
      problems.expected(
          node, "JSON text once each variable is replaced by its value (" + firstLine(e) + ")");
      valid = false;
    }
  }

  private static String firstLine(IOException e) {
    String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : null;
    message = message == null ? String.valueOf(e.getMessage()) : message;
    for (String cut : new String[] {"\n", " (start marker", " at [Source"}) {
      int at = message.indexOf(cut);
      message = at < 0 ? message : message.substring(0, at);
    }
    return message;
  }

  private void flushLiteral() {
    if (literal.length() == 0) {
      return;
    }
    String piece = literal.toString();
    literal.setLength(0);
    if (!destination.accepts(piece)) {
      if (valid) {
        problems.expected(node, destination.rule());
      }
      valid = false;
      return;
    }
    parts.add(new Literal(piece));
  }

  private void report(int offset, String message) {
    valid = false;
    problems.add(new Problem(locate(node, text, offset), node.path(), message));
  }

  /**
   * The place of character {@code offset} of the value: its column when the value is on one line
   * (after the opening quote of a quoted value), else where the value starts.
   */
  static Location locate(ConfigNode node, String text, int offset) {
    Location at = node.location();
    if (at.line() < 1 || text.indexOf('\n') >= 0) {
      return at;
    }
    int column = at.column() + (node.quoted() ? 1 : 0) + text.codePointCount(0, offset);
    return new Location(at.source(), at.line(), column);
  }

  /** The variables {@code scope} offers, as written, for messages. */
  static String describe(Scope scope) {
    return Arrays.stream(Variable.values())
        .filter(scope::offers)
        .map(Variable::written)
        .collect(Collectors.joining(", "));
  }

  /** Whether {@code pointer} is an RFC 6901 JSON Pointer other than the empty one. */
  static boolean isPointer(String pointer) {
    if (pointer.isEmpty() || pointer.charAt(0) != '/') {
      return false;
    }
    for (int i = 0; i < pointer.length(); i++) {
      if (pointer.charAt(i) == '~') {
        char next = i + 1 < pointer.length() ? pointer.charAt(i + 1) : ' ';
        if (next != '0' && next != '1') {
          return false;
        }
      }
    }
    return true;
  }
}
