package io.portico.spi.plugin;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who the caller is, as established by an authentication plugin and read by later plugins
 * (authorization, rate limits) and the upstream headers. Stored on the exchange under {@link #KEY}.
 *
 * @param consumer the consumer's name, or null when the caller was authenticated without a
 *     configured consumer (e.g. a valid JWT not mapped to one)
 * @param customId the consumer's custom id, or null
 * @param credentialId an identifier of the credential used (never the secret itself), or null for
 *     the anonymous identity
 * @param groups the consumer's groups (and any groups or roles the credential carries)
 * @param method the authentication plugin that established it, e.g. {@code key-auth}
 * @param anonymous whether this is the configured anonymous fallback
 * @param claims claims to expose to later plugins (e.g. a token's subject and scopes); may be empty
 */
public record Identity(
    @Nullable String consumer,
    @Nullable String customId,
    @Nullable String credentialId,
    Set<String> groups,
    String method,
    boolean anonymous,
    Map<String, Object> claims) {

  /** Where the authenticated identity is kept on the exchange. */
  public static final ExchangeKey<Identity> KEY = ExchangeKey.of("identity");

  /** The header that carries {@link #consumer()} upstream. */
  public static final String CONSUMER_NAME_HEADER = "x-consumer-name";

  /** The header that carries {@link #customId()} upstream. */
  public static final String CONSUMER_CUSTOM_ID_HEADER = "x-consumer-custom-id";

  /** The header that carries {@link #groups()} upstream, comma-separated. */
  public static final String CONSUMER_GROUPS_HEADER = "x-consumer-groups";

  /** The header that carries {@link #credentialId()} upstream. */
  public static final String CREDENTIAL_ID_HEADER = "x-credential-id";

  /** The header set to {@code true} upstream when the identity is {@link #anonymous()}. */
  public static final String ANONYMOUS_CONSUMER_HEADER = "x-anonymous-consumer";

  /**
   * The request headers that carry an identity upstream. The gateway removes client-supplied copies
   * from every request before any plugin runs, so only an authentication plugin can set them.
   */
  public static final List<String> UPSTREAM_HEADERS =
      List.of(
          CONSUMER_NAME_HEADER,
          CONSUMER_CUSTOM_ID_HEADER,
          CONSUMER_GROUPS_HEADER,
          CREDENTIAL_ID_HEADER,
          ANONYMOUS_CONSUMER_HEADER);
}
