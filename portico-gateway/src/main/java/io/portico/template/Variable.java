package io.portico.template;

/**
 * Every variable a template may use, as written between {@code ${} and {@code }}. A variable that
 * takes a name is written with it after the dot ({@code ${header.X-Tenant}}); {@code ${body}} takes
 * an optional JSON Pointer ({@code ${body./user/id}}).
 *
 * <p>The catalogue is closed: a name that is not here is a config problem, and so is a variable
 * whose {@link Availability} the template's {@link Scope} does not offer.
 */
public enum Variable {
  REQUEST_ID("request_id", Form.PLAIN, Availability.REQUEST),
  CLIENT_IP("client_ip", Form.PLAIN, Availability.REQUEST),
  ROUTE("route", Form.PLAIN, Availability.REQUEST),
  SERVICE("service", Form.PLAIN, Availability.REQUEST),
  METHOD("method", Form.PLAIN, Availability.REQUEST),
  PATH("path", Form.PLAIN, Availability.REQUEST),
  PATH_PARAM("path_param", Form.NAMED, Availability.REQUEST),
  QUERY("query", Form.NAMED, Availability.REQUEST),
  HEADER("header", Form.NAMED, Availability.REQUEST),
  CONSUMER_NAME("consumer.name", Form.PLAIN, Availability.IDENTITY),
  CONSUMER_CUSTOM_ID("consumer.custom_id", Form.PLAIN, Availability.IDENTITY),
  CONSUMER_GROUPS("consumer.groups", Form.PLAIN, Availability.IDENTITY),
  CLAIM("claim", Form.NAMED, Availability.IDENTITY),
  BODY("body", Form.POINTER, Availability.BODY),
  STATUS("status", Form.PLAIN, Availability.RESPONSE),
  RESPONSE_HEADER("response_header", Form.NAMED, Availability.RESPONSE),
  /**
   * The JSON body of an earlier backend of the same aggregate, whole or at a JSON Pointer: {@code
   * ${backend.users./id}}. Only an aggregate backend's templates have it, and only for the backends
   * it waits for.
   */
  BACKEND("backend", Form.NAMED_POINTER, Availability.BACKENDS);

  /** How a variable is written. */
  enum Form {
    /** Just the name: {@code ${route}}. */
    PLAIN,
    /** The name, a dot and an argument: {@code ${header.X-Tenant}}. */
    NAMED,
    /** The name alone, or with a dot and a JSON Pointer: {@code ${body./user/id}}. */
    POINTER,
    /**
     * The name, a dot and an argument, then optionally a dot and a JSON Pointer: {@code
     * ${backend.users./id}}.
     */
    NAMED_POINTER
  }

  /** When a variable has a value. */
  enum Availability {
    /** From the request head on. */
    REQUEST,
    /** Once authentication ran (ACCESS phase on). */
    IDENTITY,
    /** Once the response head is known. */
    RESPONSE,
    /** When the rendering is given a JSON body. */
    BODY,
    /** In an aggregate backend's request, once the backends it waits for have answered. */
    BACKENDS
  }

  private final String name;
  private final Form form;
  private final Availability availability;

  Variable(String name, Form form, Availability availability) {
    this.name = name;
    this.form = form;
    this.availability = availability;
  }

  /** The name as written before any argument: {@code header}, {@code consumer.name}. */
  public String variableName() {
    return name;
  }

  Form form() {
    return form;
  }

  Availability availability() {
    return availability;
  }

  /** How the variable is written in docs and messages: {@code ${header.NAME}}. */
  public String written() {
    return switch (form) {
      case PLAIN -> "${" + name + "}";
      case NAMED -> "${" + name + ".NAME}";
      case POINTER -> "${" + name + "./POINTER}";
      case NAMED_POINTER -> "${" + name + ".NAME./POINTER}";
    };
  }
}
