package io.portico.router;

/**
 * A route's regex read the path more than {@link BoundedPath#READS} times without deciding: the
 * request is refused rather than routed by another route (which it might not be meant for) or left
 * to hold the event loop. Carries no stack trace; a client can cause it at will.
 */
public final class PathTooComplexException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public PathTooComplexException() {
    super("a route's regex took too long to match the path", null, false, false);
  }
}
