package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.snapshot.Snapshot;
import io.portico.spi.config.ConfigNode;
import io.portico.store.ObjectJson;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /config}: the active config as JSON with its version and load time; values under
 * secret-looking keys (and every credential) are redacted, as in every config tree the admin API
 * shows ({@link #writeRedacted}); scalars in the JSON form of the config objects ({@link
 * ObjectJson}).
 */
final class ConfigEndpoint {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Keys whose values never leave the gateway, header names that carry credentials included (a
   * plugin that sets {@code Authorization} upstream holds a credential).
   */
  private static final Pattern SECRET =
      Pattern.compile(
          ".*(secret|password|passwd|token|api[-_]?key|private|credential|authorization|cookie"
              + "|^key$|^keys$|hash).*",
          Pattern.CASE_INSENSITIVE);

  private ConfigEndpoint() {}

  /** The body of {@code GET /config}: the active config, secrets redacted, with its version. */
  static String write(Snapshot s) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("version", s.version());
      g.writeStringField("loaded_at", s.loadedAt().toString());
      g.writeFieldName("config");
      writeRedacted(g, s.config().source(), false);
      g.writeEndObject();
    }
    return w.toString();
  }

  /**
   * Writes a config tree as JSON; values under secret-looking keys become {@code "<redacted>"}, an
   * AI provider's {@code api-key} its masked suffix ({@code "…abcd"}).
   */
  static void writeRedacted(JsonGenerator g, ConfigNode node, boolean secret) throws IOException {
    write(g, node, secret, true);
  }

  /**
   * Writes a config tree as JSON in full but for AI provider keys ({@code api-key}), which are
   * write-only: every reader, whatever its role, gets only their masked suffix.
   */
  static void writeMasked(JsonGenerator g, ConfigNode node) throws IOException {
    write(g, node, false, false);
  }

  private static void write(JsonGenerator g, ConfigNode node, boolean secret, boolean redact)
      throws IOException {
    switch (node.kind()) {
      case OBJECT -> {
        g.writeStartObject();
        for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
          g.writeFieldName(e.getKey());
          if (e.getKey().equals("api-key") && e.getValue().isScalar()) {
            g.writeString(io.portico.config.AiConfig.Key.masked(e.getValue().scalarText()));
            continue;
          }
          boolean s =
              secret
                  || redact
                      && (SECRET.matcher(e.getKey()).matches() || e.getKey().equals("credentials"));
          write(g, e.getValue(), s, redact);
        }
        g.writeEndObject();
      }
      case LIST -> {
        g.writeStartArray();
        for (ConfigNode item : node.items()) {
          write(g, item, secret, redact);
        }
        g.writeEndArray();
      }
      case SCALAR -> {
        if (secret) {
          g.writeString("<redacted>");
        } else {
          ObjectJson.writeScalar(g, node);
        }
      }
      case NULL -> g.writeNull();
    }
  }
}
