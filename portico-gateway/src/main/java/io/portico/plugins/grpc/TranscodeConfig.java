package io.portico.plugins.grpc;

import com.google.protobuf.util.JsonFormat;
import java.util.List;

/**
 * The config of {@code grpc-transcode}, compiled: the bindings of the exposed services (most
 * specific template first) and the JSON mapping's options.
 *
 * @param descriptorSet the file the bindings were read from (for messages)
 * @param bindings every HTTP binding of the exposed methods
 * @param printer protobuf to JSON, with the configured options
 * @param parser JSON to protobuf
 * @param ignoreUnknownQueryParams whether a query parameter that names no field is ignored (else
 *     400)
 * @param streamFormat how server-streamed messages are written
 * @param maxMessageBytes the largest message either way
 */
record TranscodeConfig(
    String descriptorSet,
    List<Binding> bindings,
    JsonFormat.Printer printer,
    JsonFormat.Parser parser,
    boolean ignoreUnknownQueryParams,
    StreamFormat streamFormat,
    int maxMessageBytes) {

  /** How a server stream reaches the client. */
  enum StreamFormat {
    /** One JSON object per line, {@code application/x-ndjson}. */
    NDJSON("application/x-ndjson"),
    /** One server-sent event per message, {@code text/event-stream}. */
    SSE("text/event-stream");

    private final String contentType;

    StreamFormat(String contentType) {
      this.contentType = contentType;
    }

    String contentType() {
      return contentType;
    }
  }
}
