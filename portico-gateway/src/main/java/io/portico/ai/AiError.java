package io.portico.ai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.StatusReasons;
import org.jspecify.annotations.Nullable;

/**
 * An error the AI front answers, in OpenAI's shape: {@code {"error": {"message", "type", "param",
 * "code"}}}. The message never holds a provider key or a provider's address.
 *
 * @param status the HTTP status
 * @param type OpenAI's error type ({@code invalid_request_error}, {@code server_error}, ...)
 * @param param the request field at fault, or null
 * @param code a stable code ({@code model_not_found}, {@code all_targets_failed}, ...)
 */
public record AiError(
    HttpResponseStatus status, String type, @Nullable String param, String code, String message) {

  static final String INVALID_REQUEST = "invalid_request_error";
  static final String SERVER_ERROR = "server_error";

  static AiError badRequest(@Nullable String param, String code, String message) {
    return new AiError(HttpResponseStatus.BAD_REQUEST, INVALID_REQUEST, param, code, message);
  }

  static AiError notFound(String message) {
    return new AiError(HttpResponseStatus.NOT_FOUND, INVALID_REQUEST, null, "unknown_url", message);
  }

  static AiError methodNotAllowed(String message) {
    return new AiError(
        HttpResponseStatus.METHOD_NOT_ALLOWED,
        INVALID_REQUEST,
        null,
        "method_not_allowed",
        message);
  }

  static AiError tooLarge(long max) {
    return new AiError(
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        INVALID_REQUEST,
        null,
        "request_too_large",
        "The request body is larger than " + max + " bytes.");
  }

  /** A provider answered something that is not its wire format. */
  static AiError badProvider(String provider, String what) {
    return new AiError(
        HttpResponseStatus.BAD_GATEWAY,
        SERVER_ERROR,
        null,
        "provider_invalid_response",
        "Provider " + provider + " " + what + ".");
  }

  static AiError allFailed(String model, String detail) {
    return new AiError(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        SERVER_ERROR,
        null,
        "all_targets_failed",
        "No provider of model " + model + " could answer: " + detail + ".");
  }

  static AiError timeout(String model, String detail) {
    return new AiError(
        HttpResponseStatus.GATEWAY_TIMEOUT,
        SERVER_ERROR,
        null,
        "timeout",
        "No provider of model " + model + " answered in time: " + detail + ".");
  }

  /** A provider refused the request itself (a 4xx other than 401, 403 and 429). */
  static AiError refused(int status, String provider, String message) {
    return new AiError(
        HttpResponseStatus.valueOf(status),
        INVALID_REQUEST,
        null,
        "provider_refused",
        "Provider " + provider + " refused the request: " + message);
  }

  /** The OpenAI error object. */
  ObjectNode json() {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ObjectNode e = root.putObject("error");
    e.put("message", message);
    e.put("type", type);
    if (param == null) {
      e.putNull("param");
    } else {
      e.put("param", param);
    }
    e.put("code", code);
    return root;
  }

  /**
   * The same error as an RFC 9457 problem ({@code application/problem+json}), for a route whose
   * {@code error-format} is {@code problem}: {@code type} ends with the code, {@code param} names
   * the field or variable at fault.
   */
  ObjectNode problem(@Nullable String instance, @Nullable String requestId) {
    ObjectNode p = Json.object();
    p.put("type", "https://portico.dev/problems/" + code.replace('_', '-'));
    p.put("title", StatusReasons.reason(status.code()));
    p.put("status", status.code());
    p.put("detail", message);
    if (instance != null) {
      p.put("instance", instance);
    }
    if (requestId != null) {
      p.put("request_id", requestId);
    }
    if (param != null) {
      p.put("param", param);
    }
    return p;
  }
}
