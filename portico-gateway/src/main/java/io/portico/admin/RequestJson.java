package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.accounts.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The JSON object bodies of the account and portal endpoints ({@link AccountEndpoints}, {@link
 * PortalEndpoints}, {@link PortalInvitations}), read field by field, and their refusals answered as
 * problems. Stateless and thread-safe.
 */
final class RequestJson {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SECONDS = Pattern.compile("(\\d+) s\\b");

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

  /**
   * A refused operation as its problem: the refusal's status, type and detail; a {@code 429} also
   * carries {@code Retry-After}, the seconds its detail names ("try again in 30 s").
   */
  static FullHttpResponse refused(Outcome.Refused<?> r) {
    FullHttpResponse resp =
        AdminHandler.problem(
            HttpResponseStatus.valueOf(r.refusal().status()),
            r.refusal().type(),
            r.refusal().detail());
    if (r.refusal().status() == 429) {
      Matcher m = SECONDS.matcher(r.refusal().detail());
      resp.headers().set(HttpHeaderNames.RETRY_AFTER, m.find() ? m.group(1) : "60");
    }
    return resp;
  }
}
