package io.portico.observe.alert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.portico.config.AlertsConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The generic webhook: one JSON object per notification. With a {@code secret}, every request
 * carries {@code X-Portico-Signature: sha256=<hex HMAC-SHA256 of the body>} and {@code
 * X-Portico-Timestamp} (epoch seconds); the body holds the same {@code timestamp}, so the signature
 * covers it and a receiver can refuse old replays.
 */
final class WebhookNotifier extends HttpNotifier {

  static final String SIGNATURE = "X-Portico-Signature";
  static final String TIMESTAMP = "X-Portico-Timestamp";

  private static final JsonFactory JSON = new JsonFactory();

  private final byte @Nullable [] secret;

  WebhookNotifier(AlertsConfig.Notifier config) {
    super(config);
    this.secret = config.secret() == null ? null : config.secret().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  String body(Notification n, long now) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("status", n.status());
      g.writeStringField("rule", n.rule());
      g.writeStringField("kind", n.kind());
      g.writeStringField("fingerprint", n.fingerprint());
      g.writeObjectFieldStart("labels");
      for (Map.Entry<String, String> e : new TreeMap<>(n.labels()).entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      writeNumber(g, "value", n.value());
      writeNumber(g, "threshold", n.threshold());
      g.writeStringField("summary", n.summary());
      if (n.startsAt() == null) {
        g.writeNullField("startsAt");
      } else {
        g.writeStringField("startsAt", n.startsAt().toString());
      }
      if (n.endsAt() == null) {
        g.writeNullField("endsAt");
      } else {
        g.writeStringField("endsAt", n.endsAt().toString());
      }
      g.writeNumberField("timestamp", now);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  static void writeNumber(JsonGenerator g, String name, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumberField(name, v);
    } else {
      g.writeNullField(name);
    }
  }

  @Override
  Map<String, String> headers(String body, long now) {
    if (secret == null) {
      return Map.of(TIMESTAMP, String.valueOf(now));
    }
    return Map.of(SIGNATURE, "sha256=" + sign(secret, body), TIMESTAMP, String.valueOf(now));
  }

  /** The lower-case hex HMAC-SHA256 of {@code body} under {@code key}. */
  static String sign(byte[] key, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }
}
