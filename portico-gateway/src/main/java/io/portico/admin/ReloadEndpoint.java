package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.ConfigParser;
import io.portico.snapshot.ReloadResult;
import io.portico.spi.config.Problem;
import java.io.IOException;
import java.io.StringWriter;

/**
 * {@code POST /reload}: reloads the config file, off the event loop; 200 when the new config was
 * applied (with its warnings: changes that wait for a restart, a config without routes), 422 with
 * every problem when it was rejected (the running config keeps serving).
 */
final class ReloadEndpoint {

  private static final JsonFactory JSON = new JsonFactory();

  private ReloadEndpoint() {}

  /** Reloads off the event loop and answers on it. */
  static void serve(
      ChannelHandlerContext ctx, AdminApi api, AdminWork blocking, boolean keepAlive) {
    blocking.submit(
        ctx,
        keepAlive,
        null,
        () -> reloadResponse(api.reload()),
        e ->
            AdminHandler.problem(
                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "reload-failed",
                "The reload failed: " + e.getMessage()));
  }

  private static FullHttpResponse reloadResponse(ReloadResult result) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeBooleanField("applied", result.applied());
      g.writeStringField("version", result.version());
      g.writeArrayFieldStart("problems");
      for (Problem p : ConfigParser.listed(result.problems().list())) {
        g.writeString(p.toString());
      }
      g.writeEndArray();
      g.writeArrayFieldStart("warnings");
      for (String warning : result.warnings()) {
        g.writeString(warning);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return AdminHandler.json(
        result.applied() ? HttpResponseStatus.OK : HttpResponseStatus.UNPROCESSABLE_ENTITY,
        w.toString());
  }
}
