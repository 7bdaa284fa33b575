package io.portico.plugins.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * {@code google.api.HttpBody}: a message that stands for a raw HTTP body ({@code content_type},
 * {@code data}). A request bound to one is not JSON: the client's bytes and {@code Content-Type}
 * fill it; an answer that is one goes to the client as its bytes with its content type, as Envoy's
 * transcoder does. Stateless.
 */
final class HttpBodies {

  /** The content type of an {@code HttpBody} answer that names none. */
  static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  private HttpBodies() {}

  /** An {@code HttpBody} of {@code type} holding the request's bytes and content type. */
  static DynamicMessage of(Descriptor type, @Nullable String contentType, ByteBuf body) {
    DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
    FieldDescriptor ct = type.findFieldByName("content_type");
    FieldDescriptor data = type.findFieldByName("data");
    if (ct != null && contentType != null) {
      b.setField(ct, contentType);
    }
    if (data != null && body.isReadable()) {
      b.setField(data, ByteString.copyFrom(body.nioBuffer()));
    }
    return b.build();
  }

  /** The bytes an {@code HttpBody} carries. */
  static byte[] data(Message httpBody) {
    FieldDescriptor data = httpBody.getDescriptorForType().findFieldByName("data");
    return data == null ? new byte[0] : ((ByteString) httpBody.getField(data)).toByteArray();
  }

  /** The content type an {@code HttpBody} names, or {@link #DEFAULT_CONTENT_TYPE}. */
  static String contentType(Message httpBody) {
    FieldDescriptor ct = httpBody.getDescriptorForType().findFieldByName("content_type");
    String value = ct == null ? "" : (String) httpBody.getField(ct);
    return value.isEmpty() ? DEFAULT_CONTENT_TYPE : value;
  }
}
