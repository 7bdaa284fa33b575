package io.portico.plugins.auth.multi;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.plugins.auth.AuthFailure;
import io.portico.plugins.auth.AuthResult;
import io.portico.plugins.auth.AuthSettings;
import io.portico.plugins.auth.Authenticator;
import io.portico.plugins.auth.AuthenticatorFactory;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * {@code multi-auth}: accepts a request that any one of several authentication methods accepts.
 *
 * <pre>{@code
 * multi-auth:
 *   methods:
 *     key-auth: { header-names: [ X-API-Key ] }
 *     basic-auth: { realm: api }
 *   anonymous: guest
 * }</pre>
 *
 * <p>The methods are tried in the order written; the first that authenticates the request wins. A
 * credential that one method finds invalid does not stop the others (a client may send a key and a
 * password, and the password is right). When none succeeds: 503 if a method's dependency is down,
 * otherwise 401 with every method's challenge, or the {@code anonymous} consumer when no method
 * found any credential. {@code anonymous} and {@code hide-credentials} belong to {@code
 * multi-auth}; with {@code hide-credentials} the credential of the method that succeeded is
 * removed.
 *
 * <p>Methods are the factories of type {@link AuthenticatorFactory} found with {@link
 * ServiceLoader} next to this class (key-auth, basic-auth, hmac-auth, mtls-auth, jwt,
 * oauth2-introspection, and any other that implements it).
 */
public final class MultiAuthFactory implements AuthenticatorFactory<MultiAuthConfig> {

  static final String NAME = "multi-auth";

  private final Map<String, AuthenticatorFactory<?>> methods;

  @SuppressWarnings("rawtypes")
  public MultiAuthFactory() {
    Map<String, AuthenticatorFactory<?>> found = new TreeMap<>();
    ServiceLoader.load(PluginFactory.class, MultiAuthFactory.class.getClassLoader()).stream()
        .filter(
            p ->
                AuthenticatorFactory.class.isAssignableFrom(p.type())
                    && p.type() != MultiAuthFactory.class)
        .forEach(
            p -> {
              AuthenticatorFactory<?> a = (AuthenticatorFactory<?>) p.get();
              found.put(a.name(), a);
            });
    this.methods = found;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 2000;
  }

  @Override
  public MultiAuthConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    String rule =
        "an object of method: config, methods being " + String.join(", ", methods.keySet());
    ConfigNode node = config.required("methods", rule);
    List<MultiAuthConfig.Method> out = new ArrayList<>();
    if (node != null && !node.isObject()) {
      problems.expected(node, rule);
    } else if (node != null) {
      for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
        AuthenticatorFactory<?> factory = methods.get(e.getKey());
        if (factory == null) {
          problems.at(
              e.getValue(),
              "unknown method \""
                  + e.getKey()
                  + "\" (expected one of: "
                  + String.join(", ", methods.keySet())
                  + ")");
          continue;
        }
        ConfigNode methodNode = e.getValue();
        for (String shared : List.of("anonymous", "hide-credentials")) {
          ConfigNode misplaced = methodNode.isObject() ? methodNode.fields().get(shared) : null;
          if (misplaced != null) {
            problems.at(misplaced, shared + " inside a method (expected: on multi-auth itself)");
          }
        }
        ConfigReader reader = ConfigReader.of(methodNode, problems);
        Object parsed = factory.parse(reader);
        reader.finish();
        if (parsed != null) {
          out.add(new MultiAuthConfig.Method(factory, parsed));
        }
      }
      if (node.fields().isEmpty()) {
        problems.expected(node, rule);
      }
    }
    AuthSettings auth = AuthSettings.parse(config);
    return new MultiAuthConfig(List.copyOf(out), auth);
  }

  @Override
  public AuthSettings settings(MultiAuthConfig config) {
    return config.auth();
  }

  /** Every combined method's credential headers. */
  @Override
  public Set<String> credentialHeaders(MultiAuthConfig config) {
    Set<String> names = new HashSet<>();
    for (MultiAuthConfig.Method m : config.methods()) {
      names.addAll(places(m.factory(), m.config(), true));
    }
    return names;
  }

  /** Every combined method's credential query parameters. */
  @Override
  public Set<String> credentialQueryParameters(MultiAuthConfig config) {
    Set<String> names = new HashSet<>();
    for (MultiAuthConfig.Method m : config.methods()) {
      names.addAll(places(m.factory(), m.config(), false));
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static <C> Set<String> places(
      AuthenticatorFactory<C> factory, Object config, boolean headers) {
    return headers
        ? factory.credentialHeaders((C) config)
        : factory.credentialQueryParameters((C) config);
  }

  @Override
  public Authenticator authenticator(MultiAuthConfig config, PluginContext context) {
    List<Named> authenticators = new ArrayList<>();
    for (MultiAuthConfig.Method m : config.methods()) {
      authenticators.add(new Named(m.factory().name(), build(m.factory(), m.config(), context)));
    }
    return new AnyOf(List.copyOf(authenticators));
  }

  @SuppressWarnings("unchecked")
  private static <C> Authenticator build(
      AuthenticatorFactory<C> factory, Object config, PluginContext context) {
    return factory.authenticator((C) config, context);
  }

  private record Named(String method, Authenticator authenticator) {}

  /**
   * Tries each authenticator in order. Asynchronous results continue on the exchange's event loop,
   * so every authenticator runs there.
   */
  private static final class AnyOf implements Authenticator {

    private final List<Named> authenticators;
    private final Set<String> ownHeaders;

    AnyOf(List<Named> authenticators) {
      this.authenticators = authenticators;
      Set<String> own = new HashSet<>();
      for (Named n : authenticators) {
        own.addAll(n.authenticator().ownHeaders());
      }
      this.ownHeaders = Set.copyOf(own);
    }

    @Override
    public AuthResult authenticate(Exchange exchange) {
      return from(exchange, 0, AuthResult.none());
    }

    /**
     * The result of trying authenticators from {@code index} on, given the best failure so far
     * ({@code NoCredential} &lt; {@code Invalid} &lt; {@code Forbidden} &lt; {@code Unavailable}).
     */
    private AuthResult from(Exchange exchange, int index, AuthResult failure) {
      for (int i = index; i < authenticators.size(); i++) {
        AuthResult result = authenticators.get(i).authenticator().authenticate(exchange);
        if (result instanceof AuthResult.Pending pending) {
          int next = i + 1;
          AuthResult sofar = failure;
          CompletionStage<AuthResult> stage =
              pending
                  .stage()
                  .exceptionally(e -> new AuthResult.Unavailable(AuthFailure.AUTH_ERROR))
                  .thenApplyAsync(
                      r ->
                          r instanceof AuthResult.Authenticated
                              ? r
                              : from(exchange, next, worse(sofar, r)),
                      exchange.eventLoop())
                  .thenCompose(MultiAuthFactory::settle);
          return new AuthResult.Pending(stage);
        }
        if (result instanceof AuthResult.Authenticated) {
          return result;
        }
        failure = worse(failure, result);
      }
      return failure;
    }

    private static AuthResult worse(AuthResult a, AuthResult b) {
      return rank(b) > rank(a) ? b : a;
    }

    private static int rank(AuthResult r) {
      if (r instanceof AuthResult.Unavailable) {
        return 3;
      }
      if (r instanceof AuthResult.Forbidden) {
        return 2;
      }
      return r instanceof AuthResult.Invalid ? 1 : 0;
    }

    /** No authenticator found a credential of its scheme. */
    @Override
    public AuthFailure missing() {
      return AuthFailure.CREDENTIAL_MISSING;
    }

    @Override
    public String challenge(@Nullable String error) {
      List<String> challenges = new ArrayList<>();
      for (Named n : authenticators) {
        challenges.add(n.authenticator().challenge(null));
      }
      return String.join(", ", challenges);
    }

    @Override
    public Set<String> ownHeaders() {
      return ownHeaders;
    }

    @Override
    public void forwardOwnHeaders(Identity identity, HttpHeaders headers) {
      for (Named n : authenticators) {
        if (n.method().equals(identity.method())) {
          n.authenticator().forwardOwnHeaders(identity, headers);
        }
      }
    }

    @Override
    public void hideCredentials(Exchange exchange) {
      Identity identity = exchange.get(Identity.KEY);
      for (Named n : authenticators) {
        if (identity != null && n.method().equals(identity.method())) {
          n.authenticator().hideCredentials(exchange);
        }
      }
    }
  }

  /** A stage of the final result: a nested pending result is waited for. */
  private static CompletionStage<AuthResult> settle(AuthResult result) {
    return result instanceof AuthResult.Pending p
        ? p.stage()
        : java.util.concurrent.CompletableFuture.completedFuture(result);
  }
}
