package io.portico.observe.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.config.AlertsConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Slack incoming webhook, or anything that takes its format (Mattermost, Rocket.Chat): {@code
 * text} for notifications and clients without blocks, and a section block with the labels.
 */
final class SlackNotifier extends HttpNotifier {

  private static final JsonFactory JSON = new JsonFactory();

  SlackNotifier(AlertsConfig.Notifier config) {
    super(config);
  }

  @Override
  String body(Notification n, long epochSecond) {
    String text =
        (n.firing() ? ":rotating_light: [FIRING] " : ":white_check_mark: [RESOLVED] ")
            + n.summary();
    StringBuilder labels = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(n.labels()).entrySet()) {
      labels
          .append(labels.length() == 0 ? "" : ", ")
          .append('`')
          .append(e.getKey())
          .append('=')
          .append(e.getValue())
          .append('`');
    }
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("text", text);
      g.writeArrayFieldStart("blocks");
      g.writeStartObject();
      g.writeStringField("type", "section");
      g.writeObjectFieldStart("text");
      g.writeStringField("type", "mrkdwn");
      g.writeStringField(
          "text",
          "*"
              + text
              + "*\n"
              + labels
              + "\nsince "
              + n.startsAt()
              + (n.endsAt() == null ? "" : ", resolved " + n.endsAt()));
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }
}
