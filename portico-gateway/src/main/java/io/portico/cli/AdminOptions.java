package io.portico.cli;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Where the running gateway's admin API is and the token to call it with. */
final class AdminOptions {

  @Option(
      names = "--admin-url",
      paramLabel = "URL",
      description = "The gateway's admin API (env PORTICO_ADMIN_URL). Default: ${DEFAULT-VALUE}.",
      defaultValue = "${env:PORTICO_ADMIN_URL:-http://127.0.0.1:9901}")
  @SuppressWarnings("NullAway.Init") // set by picocli, from its default when not given
  String adminUrl;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "An admin token (env PORTICO_ADMIN_TOKEN); none for an open loopback admin.",
      defaultValue = "${env:PORTICO_ADMIN_TOKEN}")
  @Nullable String token;

  URI base() {
    String url = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
    return URI.create(url);
  }
}
