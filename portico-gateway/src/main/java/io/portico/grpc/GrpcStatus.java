package io.portico.grpc;

import org.jspecify.annotations.Nullable;

/**
 * The gRPC status codes, with the two HTTP mappings a gateway needs: from the HTTP status of a
 * response that carries no {@code grpc-status} (gRPC's "HTTP to gRPC status code mapping"), and
 * from a gRPC status to the HTTP status a JSON client gets (the mapping of {@code google.rpc.Code}
 * used by gRPC-JSON transcoders).
 */
public enum GrpcStatus {
  OK(0, 200),
  CANCELLED(1, 499),
  UNKNOWN(2, 500),
  INVALID_ARGUMENT(3, 400),
  DEADLINE_EXCEEDED(4, 504),
  NOT_FOUND(5, 404),
  ALREADY_EXISTS(6, 409),
  PERMISSION_DENIED(7, 403),
  RESOURCE_EXHAUSTED(8, 429),
  FAILED_PRECONDITION(9, 400),
  ABORTED(10, 409),
  OUT_OF_RANGE(11, 400),
  UNIMPLEMENTED(12, 501),
  INTERNAL(13, 500),
  UNAVAILABLE(14, 503),
  DATA_LOSS(15, 500),
  UNAUTHENTICATED(16, 401);

  private static final GrpcStatus[] BY_CODE = values();

  private final int code;
  private final int httpStatus;
  private final String codeText;

  GrpcStatus(int code, int httpStatus) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.codeText = Integer.toString(code);
  }

  /** The numeric code, as sent in {@code grpc-status}. */
  public int code() {
    return code;
  }

  /** The numeric code as the text of a {@code grpc-status} header (no allocation). */
  public String codeText() {
    return codeText;
  }

  /** The HTTP status a transcoded (JSON) client gets for this status. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The status of a numeric code, or {@code null} for a code gRPC does not define. */
  public static @Nullable GrpcStatus ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /**
   * The status of a {@code grpc-status} header's value: {@link #UNKNOWN} for a value that is not a
   * defined code, as the gRPC specification asks of clients.
   */
  public static GrpcStatus ofHeader(@Nullable CharSequence value) {
    if (value == null || value.length() == 0 || value.length() > 2) {
      return UNKNOWN;
    }
    int code = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return UNKNOWN;
      }
      code = code * 10 + (c - '0');
    }
    GrpcStatus status = ofCode(code);
    return status == null ? UNKNOWN : status;
  }

  /**
   * The status a gRPC client derives from an HTTP status when the response carries no {@code
   * grpc-status}: gRPC's own mapping (400 {@code INTERNAL}, 401 {@code UNAUTHENTICATED}, 403 {@code
   * PERMISSION_DENIED}, 404 {@code UNIMPLEMENTED}, 429, 502, 503 and 504 {@code UNAVAILABLE},
   * anything else {@code UNKNOWN}).
   */
  public static GrpcStatus ofHttpStatus(int httpStatus) {
    return switch (httpStatus) {
      case 200 -> OK;
      case 400 -> INTERNAL;
      case 401 -> UNAUTHENTICATED;
      case 403 -> PERMISSION_DENIED;
      case 404 -> UNIMPLEMENTED;
      case 429, 502, 503, 504 -> UNAVAILABLE;
      default -> UNKNOWN;
    };
  }
}
