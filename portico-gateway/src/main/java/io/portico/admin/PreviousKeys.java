package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portico.plugins.auth.key.KeyAuthFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The keys a rotation keeps for its grace period: the rotated key stays in the consumer's {@code
 * key-auth} credentials under the id {@code <id>.previous}, with an {@code expires-at} at the end
 * of the grace period (or its own, when that comes first), so clients move to the new key while the
 * old one still works, and key-auth refuses it once the time has passed, as any expired key.
 *
 * <p>Stateless; used by {@link ConsumerKeys} on the admin thread.
 */
final class PreviousKeys {

  /** What a rotated key's id becomes while it is kept. */
  static final String SUFFIX = ".previous";

  private static final String EXPIRES_AT = "expires-at";

  private PreviousKeys() {}

  /**
   * Keeps {@code replaced}, the key {@code id} had before its rotation, for {@code grace} from
   * {@code now} as {@code id.previous} in {@code keys} (replacing an earlier one of that id); the
   * entry kept, or null when the grace is zero.
   */
  static @Nullable ObjectNode keep(
      List<ObjectNode> keys, ObjectNode replaced, String id, Instant now, Duration grace) {
    String previousId = id + SUFFIX;
    keys.removeIf(k -> previousId.equals(k.path("id").asText(null)));
    if (grace.isZero()) {
      return null;
    }
    Instant until = now.plus(grace).truncatedTo(ChronoUnit.SECONDS);
    Instant own = expiry(replaced);
    if (own != null && own.isBefore(until)) {
      until = own;
    }
    ObjectNode kept = replaced.deepCopy();
    kept.put("id", previousId);
    kept.put(EXPIRES_AT, until.toString());
    keys.add(kept);
    return kept;
  }

  /** Whether {@code key} is a key kept by a rotation whose grace period has passed. */
  static boolean isPast(JsonNode key, Instant now) {
    String id = key.path("id").asText("");
    Instant until = expiry(key);
    return id.endsWith(SUFFIX) && until != null && !until.isAfter(now);
  }

  private static @Nullable Instant expiry(JsonNode key) {
    JsonNode at = key.get(EXPIRES_AT);
    return at != null && at.isTextual() ? KeyAuthFactory.expiresAt(at.asText()) : null;
  }
}
