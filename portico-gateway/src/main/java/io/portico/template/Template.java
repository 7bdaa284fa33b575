package io.portico.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A value with variables, compiled once from config text such as {@code
 * tenant=${header.X-Tenant:-none}}: the one template language of every plugin that writes values
 * taken from the exchange (docs/templates.md).
 *
 * <pre>
 *   config text ──compile (once per snapshot: syntax, variable names, scope)──▶ Template
 *   Template + exchange (+ JSON body) ──render (per request)──▶ appended to the caller's builder
 * </pre>
 *
 * <p>Syntax: {@code ${name}} is a variable, {@code ${name:-default}} one with a default, <code>
 * $${</code> a literal <code>${</code>; any other {@code $} is literal. A value missing at run time
 * (an absent header, no consumer, no body) is replaced by its default, or by nothing: never by the
 * template's text. Variable values are encoded for the template's {@link Destination}; literal text
 * and defaults are written as configured.
 *
 * <p>A template without variables renders its constant text without allocating. Immutable and
 * thread-safe; rendering runs on the exchange's event loop and reads the exchange only.
 */
public final class Template {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String text;
  private final Part[] parts;
  private final Destination destination;
  private final @Nullable String constant;
  private final @Nullable TextNode constantJson;
  private final @Nullable Hole single;
  private final Set<Variable> variables;

  private Template(String text, List<Part> parts, Destination destination) {
    this.text = text;
    this.parts = parts.toArray(Part[]::new);
    this.destination = destination;
    Set<Variable> used = EnumSet.noneOf(Variable.class);
    StringBuilder literal = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Hole hole) {
        used.add(hole.variable());
      } else {
        literal.append(((Literal) part).text());
      }
    }
    this.variables = Set.copyOf(used);
    this.constant = used.isEmpty() ? literal.toString() : null;
    this.constantJson = constant == null ? null : NODES.textNode(constant);
    this.single = parts.size() == 1 && parts.get(0) instanceof Hole hole ? hole : null;
  }

  /**
   * Compiles the text of {@code node} for {@code destination}, allowing the variables {@code scope}
   * offers. Reports every problem of the text (unknown variables, variables the scope does not
   * offer, malformed syntax, text unfit for the destination) against {@code node}, with the column
   * of each, and returns null when there was one.
   */
  public static @Nullable Template compile(
      ConfigNode node, Scope scope, Destination destination, Problems problems) {
    return compile(node, scope, destination, Set.of(), problems);
  }

  /**
   * As {@link #compile(ConfigNode, Scope, Destination, Problems)} for a scope that offers {@code
   * ${backend.NAME}} ({@link Scope#BACKEND_REQUEST}): {@code backends} are the names the template
   * may read (the backends it waits for); any other name is a problem at its column.
   */
  public static @Nullable Template compile(
      ConfigNode node,
      Scope scope,
      Destination destination,
      Set<String> backends,
      Problems problems) {
    List<Part> parts = TemplateCompiler.compile(node, scope, destination, backends, problems);
    String text = node.text();
    return parts == null || text == null ? null : new Template(text, parts, destination);
  }

  /** {@link #compile(ConfigNode, Scope, Destination, Problems)} for {@link Destination#TEXT}. */
  public static @Nullable Template compile(ConfigNode node, Scope scope, Problems problems) {
    return compile(node, scope, Destination.TEXT, problems);
  }

  /**
   * Appends the value for {@code exchange} to {@code out}; {@code body} is the JSON body of a body
   * scope (null when there is none, so {@code ${body...}} is missing).
   */
  public void render(Exchange exchange, @Nullable JsonNode body, StringBuilder out) {
    render(exchange, body, BackendBodies.NONE, out);
  }

  /**
   * Appends the value for {@code exchange} to {@code out}, reading {@code ${backend...}} from
   * {@code backends}.
   */
  public void render(
      Exchange exchange, @Nullable JsonNode body, BackendBodies backends, StringBuilder out) {
    if (constant != null) {
      out.append(constant);
      return;
    }
    for (Part part : parts) {
      if (part instanceof Literal literal) {
        out.append(literal.text());
      } else if (destination == Destination.JSON) {
        appendJson((Hole) part, exchange, body, backends, out);
      } else {
        Hole hole = (Hole) part;
        String value = Values.text(hole, exchange, body, backends);
        if (value != null) {
          destination.append(out, value);
        } else if (hole.fallback() != null) {
          out.append(hole.fallback());
        }
      }
    }
  }

  private static void appendJson(
      Hole hole,
      Exchange exchange,
      @Nullable JsonNode body,
      BackendBodies backends,
      StringBuilder out) {
    JsonNode value = Values.json(hole, exchange, body, backends);
    if (value != null) {
      out.append(value.toString());
    } else {
      out.append(hole.fallback() == null ? "null" : hole.fallback());
    }
  }

  /** Appends the value for {@code exchange}, without a body. */
  public void render(Exchange exchange, StringBuilder out) {
    render(exchange, null, out);
  }

  /** The value for {@code exchange}; the constant itself when the template has no variables. */
  public String renderString(Exchange exchange, @Nullable JsonNode body) {
    return renderString(exchange, body, BackendBodies.NONE);
  }

  /** The value for {@code exchange}, reading {@code ${backend...}} from {@code backends}. */
  public String renderString(Exchange exchange, @Nullable JsonNode body, BackendBodies backends) {
    if (constant != null) {
      return constant;
    }
    StringBuilder out = new StringBuilder(text.length() + 32);
    render(exchange, body, backends, out);
    return out.toString();
  }

  /** The value for {@code exchange}, without a body. */
  public String renderString(Exchange exchange) {
    return renderString(exchange, null);
  }

  /**
   * The value as JSON. A template that is exactly one variable keeps the value's JSON type (a
   * number for {@code ${status}}, an object from the body or a claim, an array for {@code
   * ${consumer.groups}}); when that value is missing it is its default as a string, or null
   * (nothing to write). Any other template is a string. Values from {@code body} are copies.
   */
  public @Nullable JsonNode renderJson(Exchange exchange, @Nullable JsonNode body) {
    return renderJson(exchange, body, BackendBodies.NONE);
  }

  /**
   * As {@link #renderJson(Exchange, JsonNode)}, reading {@code ${backend...}} from {@code
   * backends}.
   */
  public @Nullable JsonNode renderJson(
      Exchange exchange, @Nullable JsonNode body, BackendBodies backends) {
    if (constantJson != null) {
      return constantJson;
    }
    if (single != null) {
      JsonNode value = Values.json(single, exchange, body, backends);
      if (value != null) {
        return value;
      }
      return single.fallback() == null ? null : NODES.textNode(single.fallback());
    }
    return NODES.textNode(renderString(exchange, body, backends));
  }

  /** The text as configured. */
  public String text() {
    return text;
  }

  /** Whether the template has no variables, so it renders the same text for every exchange. */
  public boolean isConstant() {
    return constant != null;
  }

  /** The variables the template uses. */
  public Set<Variable> variables() {
    return variables;
  }

  @Override
  public String toString() {
    return text;
  }
}
