package io.portico.upstream;

import java.net.ConnectException;

/**
 * The cause given to a request that waited for a connection to an endpoint when the endpoint was
 * removed (a reload or its source dropped it): nothing was sent, so the request may be retried on
 * another endpoint, as after a failed connect. Carries no stack trace.
 */
public final class EndpointRemovedException extends ConnectException {

  private static final long serialVersionUID = 1L;

  public EndpointRemovedException(Endpoint endpoint) {
    super("endpoint " + endpoint + " was removed");
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
