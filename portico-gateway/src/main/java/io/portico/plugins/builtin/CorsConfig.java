package io.portico.plugins.builtin;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The config of {@code cors}.
 *
 * @param origins the allowed origins
 * @param allowMethods methods announced to preflights, upper case
 * @param allowHeaders request headers announced to preflights, or null to echo the preflight's
 *     {@code Access-Control-Request-Headers}
 * @param exposeHeaders response headers the browser may show to scripts
 * @param allowCredentials whether {@code Access-Control-Allow-Credentials: true} is sent
 * @param maxAge how long browsers may cache a preflight answer (whole seconds), or null to leave it
 *     to the browser
 * @param preflightContinue whether preflights go upstream instead of being answered by the gateway
 */
public record CorsConfig(
    AllowedOrigins origins,
    List<String> allowMethods,
    @Nullable List<String> allowHeaders,
    List<String> exposeHeaders,
    boolean allowCredentials,
    @Nullable Duration maxAge,
    boolean preflightContinue) {

  public CorsConfig {
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = allowHeaders == null ? null : List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
  }
}
