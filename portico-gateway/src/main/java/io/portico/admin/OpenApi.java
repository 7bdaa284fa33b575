package io.portico.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The OpenAPI 3 document of the admin API ({@code GET /openapi.json}), written by hand in the
 * resource {@code io/portico/admin/openapi.json} and held to the endpoints {@link AdminHandler}
 * serves by a test.
 */
final class OpenApi {

  private static final String DOCUMENT = read();

  private OpenApi() {}

  static String document() {
    return DOCUMENT;
  }

  private static String read() {
    try (InputStream in =
        Objects.requireNonNull(
            OpenApi.class.getResourceAsStream("openapi.json"), "openapi.json resource")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
