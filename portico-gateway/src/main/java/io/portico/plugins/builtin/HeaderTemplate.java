package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A header value with variables, compiled once from text such as {@code tenant=${header.X-Tenant}}.
 *
 * <p>{@code ${name}} is a variable; <code>$${</code> writes a literal <code>${</code>; any other
 * {@code $} is literal. A template without variables renders to its constant text without
 * allocating. Values taken from the exchange are made header-safe ({@link HeaderRules#safe}); a
 * missing value (no route, an absent header or path parameter) renders as nothing.
 *
 * <p>Immutable and thread-safe; {@link #render} runs on the exchange's event loop.
 */
public final class HeaderTemplate {

  /** Where a variable's value comes from. */
  public enum Source {
    REQUEST_ID("request_id"),
    CLIENT_IP("client_ip"),
    ROUTE("route"),
    SERVICE("service"),
    STATUS("status"),
    PATH_PARAM("path_param."),
    HEADER("header.");

    private final String syntax;

    Source(String syntax) {
      this.syntax = syntax;
    }

    /** Whether the variable takes a name after a dot, e.g. {@code header.X-Tenant}. */
    boolean named() {
      return syntax.endsWith(".");
    }

    /** How the variable is written, e.g. {@code ${header.NAME}}. */
    String written() {
      return "${" + syntax + (named() ? "NAME" : "") + "}";
    }
  }

  /** One piece of a template: literal text or a variable. */
  sealed interface Part permits Literal, Variable {}

  record Literal(String text) implements Part {}

  /**
   * A variable; {@code name} is the path parameter's name or the header's name (as an {@link
   * AsciiString} for lookups), null for the others.
   */
  record Variable(Source source, CharSequence name) implements Part {}

  private final String text;
  private final List<Part> parts;
  private final String constant;

  private HeaderTemplate(String text, List<Part> parts) {
    this.text = text;
    this.parts = List.copyOf(parts);
    this.constant = parts.stream().allMatch(p -> p instanceof Literal) ? literalText(parts) : null;
  }

  /**
   * Compiles the text of {@code node}, allowing only the variables in {@code allowed}. Reports
   * every problem against {@code node} and returns null when there was one.
   */
  static HeaderTemplate compile(ConfigNode node, Set<Source> allowed, Problems problems) {
    String text = node.text();
    List<Part> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean valid = true;
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        literal.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          problems.at(node, node.describe() + " (expected: every ${ closed by })");
          return null;
        }
        Variable variable = variable(text.substring(i + 2, end), allowed);
        if (variable == null) {
          problems.at(
              node,
              "unknown variable "
                  + text.substring(i, end + 1)
                  + " (expected: one of "
                  + describe(allowed)
                  + ")");
          valid = false;
        } else {
          if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
            literal.setLength(0);
          }
          parts.add(variable);
        }
        i = end + 1;
      } else {
        literal.append(text.charAt(i++));
      }
    }
    if (literal.length() > 0 || parts.isEmpty()) {
      parts.add(new Literal(literal.toString()));
    }
    for (Part part : parts) {
      if (part instanceof Literal l && !HeaderRules.isPrintable(l.text())) {
        problems.at(node, node.describe() + " (expected: " + HeaderRules.VALUE_RULE + ")");
        valid = false;
        break;
      }
    }
    return valid ? new HeaderTemplate(text, parts) : null;
  }

  /** The variables in {@code allowed} as written, for messages and docs. */
  static String describe(Set<Source> allowed) {
    return allowed.stream().sorted().map(Source::written).collect(Collectors.joining(", "));
  }

  private static Variable variable(String spec, Set<Source> allowed) {
    for (Source source : allowed) {
      if (source.named()) {
        if (spec.startsWith(source.syntax) && spec.length() > source.syntax.length()) {
          String name = spec.substring(source.syntax.length());
          if (source == Source.HEADER) {
            return HeaderRules.isToken(name) ? new Variable(source, AsciiString.of(name)) : null;
          }
          return new Variable(source, name);
        }
      } else if (spec.equals(source.syntax)) {
        return new Variable(source, null);
      }
    }
    return null;
  }

  /** The text as configured. */
  public String text() {
    return text;
  }

  /**
   * The value for one exchange; empty when it has no literal text and every variable is missing.
   */
  public String render(Exchange exchange) {
    if (constant != null) {
      return constant;
    }
    StringBuilder out = new StringBuilder(64);
    for (Part part : parts) {
      if (part instanceof Literal l) {
        out.append(l.text());
      } else {
        String value = value((Variable) part, exchange);
        if (value != null) {
          out.append(HeaderRules.safe(value));
        }
      }
    }
    return out.toString();
  }

  private static String value(Variable variable, Exchange exchange) {
    return switch (variable.source()) {
      case REQUEST_ID -> exchange.requestId();
      case CLIENT_IP -> ExchangeValues.clientIp(exchange);
      case ROUTE -> exchange.routeName();
      case SERVICE -> exchange.serviceName();
      case STATUS -> {
        HttpResponse response = exchange.response();
        yield response == null ? null : Integer.toString(response.status().code());
      }
      case PATH_PARAM -> exchange.pathParameters().get((String) variable.name());
      case HEADER -> exchange.request().headers().get(variable.name());
    };
  }

  private static String literalText(List<Part> parts) {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      out.append(((Literal) part).text());
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
