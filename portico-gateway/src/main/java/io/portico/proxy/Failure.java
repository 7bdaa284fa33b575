package io.portico.proxy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.StatusReasons;

/**
 * The closed catalogue of why an exchange failed. Each reason maps to one status, one access-log
 * code ({@link #code()}, also the metric tag) and one problem type ({@code
 * https://portico.dev/problems/<slug>}). A timeout is always a 504, never a 500. The title is the
 * status's RFC 9110 reason phrase ({@link StatusReasons}), the status line's.
 */
public enum Failure {
  BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "bad_request", "Bad Request"),
  BAD_FRAMING(HttpResponseStatus.BAD_REQUEST, "bad_framing", "Bad Request"),
  BAD_PATH(HttpResponseStatus.BAD_REQUEST, "bad_path", "Bad Request"),
  METHOD_NOT_ALLOWED(
      HttpResponseStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "Method Not Allowed"),
  URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri_too_long", "URI Too Long"),
  HEADERS_TOO_LARGE(
      HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
      "headers_too_large",
      "Request Header Fields Too Large"),
  BODY_TOO_LARGE(
      HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body_too_large", "Content Too Large"),
  REQUEST_HEADER_TIMEOUT(
      HttpResponseStatus.REQUEST_TIMEOUT, "request_header_timeout", "Request Timeout"),
  REQUEST_BODY_TIMEOUT(
      HttpResponseStatus.REQUEST_TIMEOUT, "request_body_timeout", "Request Timeout"),
  HTTP_VERSION_NOT_SUPPORTED(
      HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
      "http_version_not_supported",
      "HTTP Version Not Supported"),
  NO_ROUTE(HttpResponseStatus.NOT_FOUND, "no_route", "Not Found"),
  NO_HEALTHY_UPSTREAM(
      HttpResponseStatus.SERVICE_UNAVAILABLE, "no_healthy_upstream", "Service Unavailable"),
  UPSTREAM_POOL_EXHAUSTED(
      HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_pool_exhausted", "Service Unavailable"),
  CIRCUIT_OPEN(HttpResponseStatus.SERVICE_UNAVAILABLE, "circuit_open", "Service Unavailable"),
  UPSTREAM_OVERLOADED(
      HttpResponseStatus.SERVICE_UNAVAILABLE, "upstream_overloaded", "Service Unavailable"),
  UPSTREAM_CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "upstream_connect_failed", "Bad Gateway"),
  UPSTREAM_TLS_FAILED(HttpResponseStatus.BAD_GATEWAY, "upstream_tls_failed", "Bad Gateway"),
  UPSTREAM_CONNECT_TIMEOUT(
      HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_connect_timeout", "Gateway Timeout"),
  UPSTREAM_RESPONSE_TIMEOUT(
      HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_response_timeout", "Gateway Timeout"),
  UPSTREAM_IDLE_TIMEOUT(
      HttpResponseStatus.GATEWAY_TIMEOUT, "upstream_idle_timeout", "Gateway Timeout"),
  UPSTREAM_RESET_BEFORE_RESPONSE(
      HttpResponseStatus.BAD_GATEWAY, "upstream_reset_before_response", "Bad Gateway"),
  UPSTREAM_RESET_AFTER_RESPONSE(
      HttpResponseStatus.BAD_GATEWAY, "upstream_reset_after_response", "Bad Gateway"),
  UPSTREAM_PROTOCOL_ERROR(HttpResponseStatus.BAD_GATEWAY, "upstream_protocol_error", "Bad Gateway"),
  UPSTREAM_RESPONSE_TOO_LARGE(
      HttpResponseStatus.BAD_GATEWAY, "upstream_response_too_large", "Bad Gateway"),
  UPSTREAM_BODY_INVALID(HttpResponseStatus.BAD_GATEWAY, "upstream_body_invalid", "Bad Gateway"),
  AGGREGATE_BACKEND_FAILED(
      HttpResponseStatus.BAD_GATEWAY, "aggregate_backend_failed", "Bad Gateway"),
  AGGREGATE_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "aggregate_timeout", "Gateway Timeout"),
  DOWNSTREAM_WRITE_TIMEOUT(
      HttpResponseStatus.REQUEST_TIMEOUT, "downstream_write_timeout", "Request Timeout"),
  DOWNSTREAM_CLOSED(HttpResponseStatus.valueOf(499), "downstream_closed", "Client Closed Request"),
  PLUGIN_ERROR(HttpResponseStatus.INTERNAL_SERVER_ERROR, "plugin_error", "Internal Server Error"),
  PLUGIN_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "plugin_timeout", "Gateway Timeout"),
  INTERNAL_ERROR(
      HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal_error", "Internal Server Error"),
  /** A gRPC call's {@code grpc-timeout} (capped by the route's response timeout) passed. */
  GRPC_DEADLINE_EXCEEDED(
      HttpResponseStatus.GATEWAY_TIMEOUT, "grpc_deadline_exceeded", "Gateway Timeout"),
  /** A gRPC request message is malformed: a lying length prefix, an undeclared compression. */
  GRPC_MESSAGE_INVALID(HttpResponseStatus.BAD_REQUEST, "grpc_message_invalid", "Bad Request"),
  /** A gRPC request message is over the route's {@code grpc.max-message-size}. */
  GRPC_MESSAGE_TOO_LARGE(
      HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "grpc_message_too_large", "Content Too Large"),
  SHUTTING_DOWN(HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting_down", "Service Unavailable");

  private final HttpResponseStatus status;
  private final String code;
  private final String title;
  private final String type;

  Failure(HttpResponseStatus status, String code, String title) {
    this.status = StatusReasons.standard(status);
    this.code = code;
    this.title = title;
    this.type = "https://portico.dev/problems/" + code.replace('_', '-');
  }

  public HttpResponseStatus status() {
    return status;
  }

  /** The stable code used in access logs and metric tags, e.g. {@code upstream_connect_failed}. */
  public String code() {
    return code;
  }

  public String title() {
    return title;
  }

  /** The problem type URI. */
  public String type() {
    return type;
  }
}
