package io.portico.plugins.transform;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Reply;

/**
 * The answer of the plugins that read a request body as JSON ({@code request-transformer}, {@code
 * json-xml}) when it is not JSON.
 */
final class MalformedJson {

  private MalformedJson() {}

  /** 400 for a body that is not JSON, naming the byte where parsing stopped. */
  static Reply reply(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    long offset = at == null ? -1 : at.getByteOffset();
    String reason = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    int newline = reason.indexOf('\n');
    reason = newline < 0 ? reason : reason.substring(0, newline);
    return Reply.problem(
        HttpResponseStatus.BAD_REQUEST,
        "malformed-request-body",
        "Bad Request",
        "The request body is not valid JSON"
            + (offset >= 0 ? " at byte " + offset : "")
            + ": "
            + reason
            + ".");
  }
}
