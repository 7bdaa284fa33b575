package io.portico.template;

/**
 * Where a template is rendered, and so which variables it may use. Every scope has the request
 * head's variables; all but {@link #REWRITE} have the caller's identity (authentication runs in the
 * ACCESS phase, after REWRITE); the response scopes add the response status and headers; the body
 * scopes add {@code ${body}}, the JSON body the rendering is given (the request body in {@link
 * #REQUEST_BODY} and {@link #BACKEND_REQUEST}, the response body in {@link #RESPONSE_BODY}); {@link
 * #BACKEND_REQUEST} alone adds {@code ${backend.NAME}}, an earlier backend's body.
 */
public enum Scope {
  /** The REWRITE phase, before authentication: the request head's variables. */
  REWRITE("a REWRITE-phase template, before authentication", false, false, false),
  /** The ACCESS phase, after authentication: the request head and the caller's identity. */
  REQUEST("a request template", true, false, false),
  /** As {@link #REQUEST}, with the request body read and parsed as JSON. */
  REQUEST_BODY("a request template with the JSON body", true, false, true),
  /** The response phase: the request's variables, the response status and headers. */
  RESPONSE("a response template", true, true, false),
  /** The response body phase: as {@link #RESPONSE}, and the response's JSON body. */
  RESPONSE_BODY("a response template with the JSON body", true, true, true),
  /**
   * An aggregate backend's request (method, path, headers, query, body): the request head, the
   * caller's identity, the client's JSON body as {@code ${body}}, and the bodies of the backends it
   * waits for as {@code ${backend.NAME./POINTER}}.
   */
  BACKEND_REQUEST("an aggregate backend's request template", true, false, true);

  private final String description;
  private final boolean identity;
  private final boolean response;
  private final boolean body;

  Scope(String description, boolean identity, boolean response, boolean body) {
    this.description = description;
    this.identity = identity;
    this.response = response;
    this.body = body;
  }

  /** Whether {@code variable} has a value in this scope. */
  public boolean offers(Variable variable) {
    return switch (variable.availability()) {
      case REQUEST -> true;
      case IDENTITY -> identity;
      case RESPONSE -> response;
      case BODY -> body;
      case BACKENDS -> this == BACKEND_REQUEST;
    };
  }

  /** For messages: {@code a request template}. */
  String description() {
    return description;
  }
}
