package io.portico.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The checks every admin write's body passes before an endpoint reads it: the body is JSON by its
 * {@code Content-Type} (415 otherwise), and no object in it names a member twice (400): {@code
 * {"name": "a", "name": "b"}} means one thing to one parser and another to the next, so which one
 * the gateway would apply is refused rather than guessed.
 *
 * <p>A body that is not well-formed JSON passes here: each endpoint reports its own syntax errors
 * with their line and column. Stateless; runs on the admin listener's event loop, one streaming
 * pass over a body the aggregator has already bounded.
 */
final class WriteBodyCheck {

  private static final JsonFactory JSON = new JsonFactory();

  private WriteBodyCheck() {}

  /**
   * @return the answer to a refused body, or null when the endpoint may read it
   */
  static @Nullable FullHttpResponse refusal(FullHttpRequest req) {
    if (!req.content().isReadable()) {
      return null;
    }
    String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type != null && !isJson(type)) {
      return AdminHandler.problem(
          HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
          "admin-unsupported-media-type",
          "Content-Type: "
              + printable(type)
              + " (expected: application/json, the only body the admin API reads"
              + (type.regionMatches(true, 0, "application/x-www-form-urlencoded", 0, 33)
                  ? "; curl -d sends a form: add -H 'Content-Type: application/json')"
                  : ")"));
    }
    String duplicate = firstDuplicate(req);
    if (duplicate != null) {
      return AdminHandler.problem(HttpResponseStatus.BAD_REQUEST, "admin-duplicate-key", duplicate);
    }
    return null;
  }

  /** {@code application/json} or any {@code application/...+json}, with or without parameters. */
  static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mime =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(Locale.ROOT);
    return mime.equals("application/json")
        || (mime.startsWith("application/") && mime.endsWith("+json"));
  }

  /** What names a member twice, with where; null when nothing does or the body is not JSON. */
  private static @Nullable String firstDuplicate(FullHttpRequest req) {
    ArrayDeque<Set<String>> objects = new ArrayDeque<>();
    try (JsonParser p =
        JSON.createParser((InputStream) new ByteBufInputStream(req.content().duplicate()))) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        switch (t) {
          case START_OBJECT -> objects.push(new HashSet<>());
          case END_OBJECT -> objects.pop();
          case FIELD_NAME -> {
            String name = p.currentName();
            Set<String> seen = objects.peek();
            if (seen != null && !seen.add(name)) {
              JsonLocation at = p.currentTokenLocation();
              return "The member "
                  + printable(name)
                  + " appears twice in one object, at line "
                  + at.getLineNr()
                  + ", column "
                  + at.getColumnNr()
                  + " (expected: each member once)";
            }
          }
          default -> {}
        }
      }
    } catch (IOException e) {
      // not well-formed: the endpoint says where
      return null;
    }
    return null;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 100) + 2).append('"');
    for (int i = 0; i < s.length() && i < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c != 0x7f ? c : '?');
    }
    return b.append('"').toString();
  }
}
