package io.portico.plugins.grpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import com.google.protobuf.util.JsonFormat;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.grpc.GrpcMessage;
import io.portico.grpc.GrpcStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A gRPC status as an RFC 9457 problem for a JSON client: the HTTP status of {@link
 * GrpcStatus#httpStatus()}, the {@code grpc-message} as the detail, and the {@code
 * google.rpc.Status} details of {@code grpc-status-details-bin} printed as JSON ({@code Any} values
 * of types the descriptor set knows in full, others as {@code {"@type", "value"}} with the bytes in
 * base64).
 *
 * <pre>{@code
 * {"type":"https://portico.dev/problems/grpc-not-found","title":"NOT_FOUND","status":404,
 *  "detail":"no book shelves/1/books/9","grpc_status":5,"details":[{"@type":"...",...}]}
 * }</pre>
 */
final class GrpcProblem {

  static final String CONTENT_TYPE = "application/problem+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private GrpcProblem() {}

  /** The status a response carries: its trailers' {@code grpc-status}, else its head's. */
  static @Nullable GrpcStatus statusOf(
      @Nullable HttpHeaders trailers, @Nullable String headStatus) {
    String value = trailers == null ? null : trailers.get("grpc-status");
    if (value == null) {
      value = headStatus;
    }
    return value == null ? null : GrpcStatus.ofHeader(value);
  }

  /** The problem's JSON text. */
  static byte[] render(
      GrpcStatus status,
      @Nullable String grpcMessage,
      @Nullable String detailsBin,
      JsonFormat.Printer printer,
      @Nullable String requestId) {
    ObjectNode problem = JSON.createObjectNode();
    problem.put(
        "type",
        "https://portico.dev/problems/grpc-"
            + status.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    problem.put("title", status.name());
    problem.put("status", status.httpStatus());
    String detail = grpcMessage == null ? null : GrpcMessage.decode(grpcMessage);
    DecodedStatus decoded = detailsBin == null ? null : decode(detailsBin);
    if ((detail == null || detail.isEmpty()) && decoded != null) {
      detail = decoded.message();
    }
    if (detail != null && !detail.isEmpty()) {
      problem.put("detail", detail);
    }
    problem.put("grpc_status", status.code());
    if (decoded != null && !decoded.details().isEmpty()) {
      ArrayNode details = problem.putArray("details");
      for (Any any : decoded.details()) {
        details.add(printDetail(any, printer));
      }
    }
    if (requestId != null) {
      problem.put("request_id", requestId);
    }
    try {
      return JSON.writeValueAsBytes(problem);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode printDetail(Any any, JsonFormat.Printer printer) {
    try {
      return (ObjectNode) JSON.readTree(printer.print(any));
    } catch (IOException | RuntimeException e) {
      ObjectNode raw = JSON.createObjectNode();
      raw.put("@type", any.getTypeUrl());
      raw.put("value", Base64.getEncoder().encodeToString(any.getValue().toByteArray()));
      return raw;
    }
  }

  record DecodedStatus(int code, String message, List<Any> details) {}

  /**
   * Decodes {@code grpc-status-details-bin} (base64, padded or not, of a {@code
   * google.rpc.Status}); null when it is not one.
   */
  static @Nullable DecodedStatus decode(String detailsBin) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(detailsBin.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
    int code = 0;
    String message = "";
    List<Any> details = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> code = in.readInt32();
          case 2 -> message = in.readStringRequireUtf8();
          case 3 -> details.add(readAny(in.readBytes()));
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      return null;
    }
    return new DecodedStatus(code, message, details);
  }

  private static Any readAny(ByteString bytes) throws InvalidProtocolBufferException {
    CodedInputStream in = bytes.newCodedInput();
    Any.Builder any = Any.newBuilder();
    try {
      int tag;
      while ((tag = in.readTag()) != 0) {
        switch (WireFormat.getTagFieldNumber(tag)) {
          case 1 -> any.setTypeUrl(in.readStringRequireUtf8());
          case 2 -> any.setValue(in.readBytes());
          default -> in.skipField(tag);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e.getMessage());
    }
    return any.build();
  }

  /** A problem of the transcoder itself (a request it cannot turn into a message). */
  static byte[] simple(int status, String type, String title, String detail) {
    ObjectNode problem = JSON.createObjectNode();
    problem.put("type", "https://portico.dev/problems/" + type);
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    return problem.toString().getBytes(StandardCharsets.UTF_8);
  }
}
