package io.portico.template;

import com.fasterxml.jackson.databind.JsonNode;
import org.jspecify.annotations.Nullable;

/**
 * The JSON bodies of an aggregate's backends that have answered, by backend name: what {@code
 * ${backend.NAME./POINTER}} reads when an aggregate backend's request is rendered. Read on the
 * exchange's event loop only.
 */
@FunctionalInterface
public interface BackendBodies {

  /** No backend has answered: every {@code ${backend...}} is missing. */
  BackendBodies NONE = name -> null;

  /** The parsed JSON body of the backend {@code name}, or null when there is none. */
  @Nullable JsonNode body(String name);
}
