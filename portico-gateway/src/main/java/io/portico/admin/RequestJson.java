package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.accounts.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The JSON object bodies of the account and portal endpoints ({@link AccountEndpoints}, {@link
 * PortalEndpoints}, {@link PortalInvitations}), read field by field, and their refusals answered as
 * problems. Stateless and thread-safe.
 */
final class RequestJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestJson() {}

  /** The request's body when it is a JSON object; null when it is anything else or no JSON. */
  static @Nullable JsonNode object(FullHttpRequest req) {
    try {
      JsonNode n = JSON.readTree(req.content().toString(StandardCharsets.UTF_8));
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The string {@code field} of {@code body}; null when it is missing or not a string. */
  static @Nullable String text(JsonNode body, String field) {
    JsonNode n = body.get(field);
    return n != null && n.isTextual() ? n.asText() : null;
  }

  /** A refused operation as its problem: the refusal's status, type and detail. */
  static FullHttpResponse refused(Outcome.Refused<?> r) {
    return AdminHandler.problem(
        HttpResponseStatus.valueOf(r.refusal().status()), r.refusal().type(), r.refusal().detail());
  }
}
