package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.portico.config.AiRouteOptions;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A route's prompt guard, applied to a chat request before it is sent: deny and allow patterns over
 * the text of its {@code system}, {@code developer} and {@code user} messages (a deny that matches
 * refuses, whatever allows; with allow patterns, one must match), the estimated tokens of every
 * message, then the masking of e-mail addresses and card numbers in place. Patterns see the text as
 * the client sent it; the provider sees it masked. Immutable and thread-safe.
 */
final class PromptGuard {

  private final AiRouteOptions.Guard config;
  private final TokenEstimate tokens;
  private final @Nullable Masking masking;

  PromptGuard(AiRouteOptions.Guard config, TokenEstimate tokens) {
    this.config = config;
    this.tokens = tokens;
    this.masking = config.mask() == null ? null : new Masking(config.mask());
  }

  /** Whether the guard masks e-mail addresses or card numbers. */
  boolean masks() {
    return masking != null;
  }

  /** Why the request is refused, or null when it may go. */
  @Nullable AiError check(ObjectNode request) {
    JsonNode messages = request.path("messages");
    StringBuilder checked = new StringBuilder();
    int total = 0;
    for (JsonNode m : messages) {
      String text = Json.contentText(m.get("content"));
      total += tokens.tokens(text);
      String role = m.path("role").asText("");
      if (role.equals("user") || role.equals("system") || role.equals("developer")) {
        checked.append(text).append('\n');
      }
    }
    for (Pattern p : config.deny()) {
      if (p.matcher(checked).find()) {
        return AiError.badRequest(
            "messages", "prompt_denied", "The prompt was refused by the gateway's prompt guard.");
      }
    }
    List<Pattern> allow = config.allow();
    if (!allow.isEmpty()) {
      boolean allowed = false;
      for (Pattern p : allow) {
        if (p.matcher(checked).find()) {
          allowed = true;
          break;
        }
      }
      if (!allowed) {
        return AiError.badRequest(
            "messages",
            "prompt_denied",
            "The prompt does not match what the gateway's prompt guard allows.");
      }
    }
    if (config.maxPromptTokens() > 0 && total > config.maxPromptTokens()) {
      return AiError.badRequest(
          "messages",
          "prompt_too_long",
          "The prompt holds about "
              + total
              + " tokens, more than the "
              + config.maxPromptTokens()
              + " this route accepts.");
    }
    return null;
  }

  /** Masks the messages' text in place; what was masked is counted in {@code counts}. */
  void mask(ObjectNode request, Masking.Counts counts) {
    Masking m = masking;
    if (m == null) {
      return;
    }
    for (JsonNode message : request.path("messages")) {
      if (!(message instanceof ObjectNode msg)) {
        continue;
      }
      JsonNode content = msg.get("content");
      if (content != null && content.isTextual()) {
        String masked = m.apply(content.asText(), counts);
        if (!masked.equals(content.asText())) {
          msg.set("content", TextNode.valueOf(masked));
        }
      } else if (content != null && content.isArray()) {
        for (JsonNode part : content) {
          if (part instanceof ObjectNode p && p.path("text").isTextual()) {
            String text = p.get("text").asText();
            String masked = m.apply(text, counts);
            if (!masked.equals(text)) {
              p.put("text", masked);
            }
          }
        }
      }
    }
  }
}
