package io.portico.observe.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.portico.observe.ExchangeRecord;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A captured body as the text an access-log line shows, redacted: a JSON body (any {@code json}
 * media type, NDJSON included) is copied token by token with the value of every member whose name
 * is redacted replaced (at any depth, whatever the value: a string, a number, an object); a form
 * body has the values of its redacted fields replaced; other text is shown as it came. A JSON body
 * cut by the cap, or not valid JSON, is shown up to the last whole token before the cut, so a cut
 * in the middle of a secret's value never shows part of it. Runs on a sink's thread.
 */
final class BodyText {

  /** Leaves a cut document open, as it was cut, rather than closing its objects. */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_CONTENT)
          .build();

  private BodyText() {}

  /** The text and whether it is only the start of the body. */
  record Rendered(String text, boolean truncated) {}

  static Rendered render(ExchangeRecord.Body body, Redaction redaction) {
    String type = mediaType(body.contentType());
    if (type.endsWith("json")) {
      return json(body, redaction);
    }
    String text = new String(body.bytes(), StandardCharsets.UTF_8);
    if (type.equals("application/x-www-form-urlencoded")) {
      return new Rendered(redaction.form(text), body.truncated());
    }
    return new Rendered(text, body.truncated());
  }

  private static String mediaType(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static Rendered json(ExchangeRecord.Body body, Redaction redaction) {
    StringWriter out = new StringWriter(body.bytes().length + 16);
    boolean whole = true;
    try (JsonParser p = JSON.createParser(body.bytes());
        JsonGenerator g = JSON.createGenerator(out)) {
      try {
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          if (t == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (redaction.bodyField(name)) {
              if (p.nextToken() == null) {
                break;
              }
              p.skipChildren();
              g.writeFieldName(name);
              g.writeString(redaction.replacement());
            } else {
              g.writeFieldName(name);
            }
          } else {
            g.copyCurrentEvent(p);
          }
        }
      } catch (IOException e) {
        whole = false;
      }
      g.flush();
    } catch (IOException e) {
      whole = false;
    }
    return new Rendered(out.toString(), body.truncated() || !whole);
  }
}
