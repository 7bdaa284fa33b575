package io.portico.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.portico.accounts.Role;
import org.jspecify.annotations.Nullable;

/**
 * What each role may call on the admin API, checked on the server for every request after the
 * caller is known and before any endpoint runs:
 *
 * <table>
 *   <caption>roles and operations</caption>
 *   <tr><th>path</th><th>admin</th><th>operator</th><th>viewer</th><th>developer</th></tr>
 *   <tr><td>{@code /auth/...} (the caller's own session, password, tokens), {@code
 *       /openapi.json}</td><td>yes</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@code /portal/api/...} (each endpoint checks the role itself: {@link
 *       PortalEndpoints})</td><td>yes</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@code GET /schemas/plugins...} (the installed plugins and their config
 *       schemas)</td><td>yes</td><td>yes</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@code /accounts...}</td><td>yes</td><td>no</td><td>no</td><td>no</td></tr>
 *   <tr><td>everything else, {@code GET}</td><td>yes</td><td>yes</td><td>yes</td><td>no</td></tr>
 *   <tr><td>everything else, other methods</td><td>yes</td><td>yes</td><td>no</td><td>no</td></tr>
 * </table>
 *
 * A config token acts as {@code admin} (read-write) or {@code viewer} (read-only); an account's
 * token and session as the account's role at the time of the call.
 */
final class AdminAccess {

  private AdminAccess() {}

  /** Null when {@code caller} may call {@code method path}, else the sentence of the 403. */
  static @Nullable String refusal(AdminAuth.Caller caller, HttpMethod method, String path) {
    if (path.equals("/auth") || path.startsWith("/auth/") || path.equals("/openapi.json")) {
      return null;
    }
    if (PortalEndpoints.handles(path)) {
      return null;
    }
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (read && PluginsEndpoint.handles(path)) {
      return null;
    }
    Role role = caller.role();
    if (path.equals("/accounts") || path.startsWith("/accounts/")) {
      return role == Role.ADMIN ? null : "Only the admin role manages accounts.";
    }
    if (role == Role.DEVELOPER) {
      return "The account "
          + caller.name()
          + " has the role developer, which uses the developer portal, not the admin API.";
    }
    if (!read && !role.writesConfig()) {
      return caller.readOnly();
    }
    return null;
  }
}
