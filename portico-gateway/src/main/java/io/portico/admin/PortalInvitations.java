package io.portico.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.accounts.Account;
import io.portico.accounts.Accounts;
import io.portico.accounts.Outcome;
import io.portico.accounts.Role;
import io.portico.portal.Invitations;
import io.portico.portal.Invitations.Invitation;
import io.portico.portal.Portal;
import java.io.IOException;
import java.util.List;

/**
 * {@code /portal/api/invitations}: operators invite developers ({@link Invitations}); {@code POST
 * /portal/api/invitations/accept} (anonymous) turns an invitation's token into a developer account.
 * The token is answered once, at creation, with the page path that accepts it in its fragment
 * ({@code /portal/#invite=...}), which browsers do not send to servers. Called off the event loop.
 */
final class PortalInvitations {

  static final String ACCEPT = PortalEndpoints.PREFIX + "invitations/accept";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PortalInvitations() {}

  /** {@code POST /portal/api/invitations/accept}: {@code token, name, password}. */
  static FullHttpResponse accept(FullHttpRequest req, AdminApi api) throws IOException {
    if (req.method() != HttpMethod.POST) {
      return AdminHandler.methodNotAllowed("POST");
    }
    Portal portal = api.portal();
    Accounts accounts = api.accounts();
    if (portal == null || accounts == null) {
      return AdminHandler.problem(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "portal-unavailable",
          "The portal needs the console's accounts (admin.store, admin.console) and portal on.");
    }
    JsonNode b = RequestJson.object(req);
    String token = b == null ? null : RequestJson.text(b, "token");
    String name = b == null ? null : RequestJson.text(b, "name");
    String password = b == null ? null : RequestJson.text(b, "password");
    if (token == null || name == null || password == null) {
      return invalid("token, name and password are required strings");
    }
    if (!token.startsWith(Invitations.TOKEN_PREFIX) || token.length() > 100) {
      return AdminHandler.problem(
          HttpResponseStatus.GONE,
          "portal-invitation-invalid",
          "The invitation is unknown, used or expired; ask an operator for a new one.");
    }
    Outcome<Account> o = portal.invitations().accept(token, name, password, accounts);
    if (o instanceof Outcome.Refused<Account> r) {
      return RequestJson.refused(r);
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("name", name);
    n.put("role", Role.DEVELOPER.text());
    return AdminHandler.json(HttpResponseStatus.CREATED, JSON.writeValueAsString(n));
  }

  /** {@code GET, POST /portal/api/invitations} and {@code DELETE /portal/api/invitations/{id}}. */
  static FullHttpResponse handle(
      FullHttpRequest req, String path, List<String> seg, AdminAuth.Caller caller, Portal portal)
      throws IOException {
    HttpMethod m = req.method();
    boolean read = m == HttpMethod.GET || m == HttpMethod.HEAD;
    if (caller.role() == Role.DEVELOPER || (!read && !caller.canWrite())) {
      return AdminHandler.problem(
          HttpResponseStatus.FORBIDDEN,
          "admin-forbidden",
          "The account "
              + caller.name()
              + " has the role "
              + caller.role().text()
              + "; only operators and admins invite developers.");
    }
    Invitations invitations = portal.invitations();
    if (seg.size() == 1) {
      if (read) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("invitations");
        for (Invitation i : invitations.pending()) {
          invitationJson(list.addObject(), i);
        }
        return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(out));
      }
      if (m != HttpMethod.POST) {
        return AdminHandler.methodNotAllowed("GET, POST");
      }
      JsonNode b =
          req.content().readableBytes() == 0 ? JSON.createObjectNode() : RequestJson.object(req);
      if (b == null) {
        return invalid("the body must be a JSON object");
      }
      JsonNode note = b.get("note");
      if (note != null && !note.isTextual()) {
        return invalid("note: (expected: a string)");
      }
      Outcome<Invitations.Issued> o =
          invitations.invite(caller.name(), note == null ? "" : note.asText());
      if (o instanceof Outcome.Refused<Invitations.Issued> r) {
        return RequestJson.refused(r);
      }
      Invitations.Issued issued = java.util.Objects.requireNonNull(o.value());
      ObjectNode n = JSON.createObjectNode();
      invitationJson(n, issued.invitation());
      n.put("token", issued.token());
      n.put("path", "/portal/#invite=" + issued.token());
      return AdminHandler.json(HttpResponseStatus.CREATED, JSON.writeValueAsString(n));
    }
    if (seg.size() == 2) {
      if (m != HttpMethod.DELETE) {
        return AdminHandler.methodNotAllowed("DELETE");
      }
      Outcome<Invitation> o = invitations.revoke(caller.name(), seg.get(1));
      if (o instanceof Outcome.Refused<Invitation> r) {
        return RequestJson.refused(r);
      }
      ObjectNode n = JSON.createObjectNode();
      invitationJson(n, java.util.Objects.requireNonNull(o.value()));
      return AdminHandler.json(HttpResponseStatus.OK, JSON.writeValueAsString(n));
    }
    return AdminHandler.problem(
        HttpResponseStatus.NOT_FOUND, "admin-not-found", "No admin endpoint " + path + ".");
  }

  private static void invitationJson(ObjectNode n, Invitation i) {
    n.put("id", i.id());
    n.put("note", i.note());
    n.put("invited_by", i.invitedBy());
    n.put("created", i.created());
    n.put("expires", i.expires());
  }

  private static FullHttpResponse invalid(String detail) {
    return AdminHandler.problem(HttpResponseStatus.BAD_REQUEST, "portal-invalid", detail + ".");
  }
}
