package io.portico.upstream.health;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.portico.grpc.GrpcFrameReader;
import java.nio.charset.StandardCharsets;

/**
 * The two messages of {@code grpc.health.v1.Health/Check}, encoded by hand (each has one field):
 *
 * <pre>
 *   message HealthCheckRequest  { string service = 1; }
 *   message HealthCheckResponse { ServingStatus status = 1; }
 *   enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
 * </pre>
 */
final class GrpcHealthMessages {

  /** The method's path. */
  static final String PATH = "/grpc.health.v1.Health/Check";

  /** {@code ServingStatus.SERVING}. */
  static final int SERVING = 1;

  /** Returned by {@link #servingStatus} for a message that is not a {@code HealthCheckResponse}. */
  static final int MALFORMED = -1;

  private GrpcHealthMessages() {}

  /**
   * A whole gRPC request body: the length-prefixed {@code HealthCheckRequest} for {@code service}.
   */
  static ByteBuf request(ByteBufAllocator alloc, String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    int length = name.length == 0 ? 0 : 1 + varintSize(name.length) + name.length;
    ByteBuf out = alloc.buffer(GrpcFrameReader.PREFIX_BYTES + length);
    GrpcFrameReader.writePrefix(out, length);
    if (name.length > 0) {
      out.writeByte(0x0a); // field 1, length-delimited
      writeVarint(out, name.length);
      out.writeBytes(name);
    }
    return out;
  }

  /**
   * The {@code status} of a {@code HealthCheckResponse} ({@code UNKNOWN} when absent), or {@link
   * #MALFORMED}. Reads {@code message} without releasing it.
   */
  static int servingStatus(ByteBuf message) {
    ByteBuf in = message.duplicate();
    int status = 0;
    while (in.isReadable()) {
      long tag = readVarint(in);
      if (tag < 0) {
        return MALFORMED;
      }
      int field = (int) (tag >>> 3);
      int wire = (int) (tag & 7);
      if (field == 1 && wire == 0) {
        long v = readVarint(in);
        if (v < 0) {
          return MALFORMED;
        }
        status = (int) v;
        continue;
      }
      if (!skip(in, wire)) {
        return MALFORMED;
      }
    }
    return status;
  }

  /** The status's name as the health protocol spells it. */
  static String statusName(int status) {
    return switch (status) {
      case 0 -> "UNKNOWN";
      case 1 -> "SERVING";
      case 2 -> "NOT_SERVING";
      case 3 -> "SERVICE_UNKNOWN";
      default -> "status " + status;
    };
  }

  private static boolean skip(ByteBuf in, int wire) {
    switch (wire) {
      case 0 -> {
        return readVarint(in) >= 0;
      }
      case 1 -> {
        return skipBytes(in, 8);
      }
      case 2 -> {
        long n = readVarint(in);
        return n >= 0 && n <= Integer.MAX_VALUE && skipBytes(in, (int) n);
      }
      case 5 -> {
        return skipBytes(in, 4);
      }
      default -> {
        return false;
      }
    }
  }

  private static boolean skipBytes(ByteBuf in, int n) {
    if (in.readableBytes() < n) {
      return false;
    }
    in.skipBytes(n);
    return true;
  }

  /** A varint of at most 64 bits, or -1 when it is cut short or longer. */
  private static long readVarint(ByteBuf in) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!in.isReadable()) {
        return -1;
      }
      byte b = in.readByte();
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v < 0 ? -1 : v;
      }
    }
    return -1;
  }

  private static void writeVarint(ByteBuf out, int value) {
    while ((value & ~0x7f) != 0) {
      out.writeByte((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.writeByte(value);
  }

  private static int varintSize(int value) {
    int n = 1;
    while ((value & ~0x7f) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }
}
