package io.portico.plugins.builtin;

import io.netty.util.AsciiString;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code mock}.
 *
 * @param status the status of the answer
 * @param headers headers of the answer, in order
 * @param contentType the answer's content type, or null for none
 * @param body the answer's body (the {@code body} text, or the {@code json} value rendered as
 *     JSON), or null for an empty body
 */
public record MockConfig(
    int status, List<Header> headers, @Nullable String contentType, @Nullable String body) {

  /** A header of the answer. */
  public record Header(AsciiString name, String value) {}

  public MockConfig {
    headers = List.copyOf(headers);
  }
}
