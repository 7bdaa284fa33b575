package io.portico.portal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.accounts.Account;
import io.portico.accounts.Accounts;
import io.portico.accounts.Outcome;
import io.portico.accounts.Role;
import io.portico.accounts.Secrets;
import io.portico.store.AuditEntry;
import io.portico.store.ConfigStore;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Invitations of developers by an operator: a link that creates one developer account, once, before
 * it expires ({@code portal.invitation-ttl}). Only the SHA-256 of an invitation's token is kept, in
 * its own store document ({@value #DOCUMENT}); accepting one removes it, so a link never works
 * twice. Every method is synchronized and may write the store: call them off the event loops.
 */
public final class Invitations {

  /** The store document the pending invitations are kept in. */
  public static final String DOCUMENT = "portal-invitations";

  /** The prefix of an invitation's token. */
  public static final String TOKEN_PREFIX = "pi_";

  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /**
   * A pending invitation.
   *
   * @param hash the hex SHA-256 of the token
   * @param note the operator's note (whom it is for), shown to operators only
   */
  public record Invitation(
      String id, String hash, String note, String invitedBy, String created, String expires) {}

  /** The document: the pending invitations. */
  record Pending(List<Invitation> invitations) {
    Pending {
      invitations = List.copyOf(invitations);
    }
  }

  /** A new invitation and its token, shown once. */
  public record Issued(Invitation invitation, String token) {}

  private final ConfigStore store;
  private final Clock clock;
  private final long ttlSeconds;
  private final Secrets secrets = new Secrets(new SecureRandom());
  private List<Invitation> pending;

  private Invitations(ConfigStore store, Clock clock, long ttlSeconds, List<Invitation> pending) {
    this.store = store;
    this.clock = clock;
    this.ttlSeconds = ttlSeconds;
    this.pending = pending;
  }

  static Invitations open(ConfigStore store, Clock clock, long ttlSeconds) throws IOException {
    Optional<byte[]> bytes = store.document(DOCUMENT);
    List<Invitation> p =
        bytes.isEmpty() ? List.of() : JSON.readValue(bytes.get(), Pending.class).invitations();
    return new Invitations(store, clock, ttlSeconds, p);
  }

  /** The invitations not used and not expired. */
  public synchronized List<Invitation> pending() {
    Instant now = clock.instant();
    return pending.stream().filter(i -> Instant.parse(i.expires()).isAfter(now)).toList();
  }

  /** A new invitation from {@code actor}. */
  public synchronized Outcome<Issued> invite(String actor, String note) throws IOException {
    if (note.length() > 200) {
      return Outcome.refused(400, "portal-invalid", "note: (expected: at most 200 characters)");
    }
    String token = TOKEN_PREFIX + secrets.text(32);
    Instant now = clock.instant();
    Invitation inv =
        new Invitation(
            secrets.hex(6),
            Secrets.sha256(token),
            note,
            actor,
            now.toString(),
            now.plusSeconds(ttlSeconds).toString());
    List<Invitation> next = new ArrayList<>(pending());
    next.add(inv);
    save(actor, "invite developer " + inv.id(), next);
    return Outcome.done(new Issued(inv, token));
  }

  /** Withdraws a pending invitation. */
  public synchronized Outcome<Invitation> revoke(String actor, String id) throws IOException {
    Invitation inv = pending().stream().filter(i -> i.id().equals(id)).findFirst().orElse(null);
    if (inv == null) {
      return Outcome.refused(404, "portal-not-found", "No pending invitation " + id + ".");
    }
    List<Invitation> next = new ArrayList<>(pending());
    next.remove(inv);
    save(actor, "withdraw invitation " + id, next);
    return Outcome.done(inv);
  }

  /**
   * Creates the developer account {@code name} with an invitation's token, and uses the invitation
   * up. An unknown, used and expired token are refused alike (410).
   */
  public synchronized Outcome<Account> accept(
      String token, String name, String password, Accounts accounts) throws IOException {
    byte[] given = HexFormat.of().parseHex(Secrets.sha256(token));
    Invitation found = null;
    for (Invitation i : pending()) {
      if (MessageDigest.isEqual(given, HexFormat.of().parseHex(i.hash())) && found == null) {
        found = i;
      }
    }
    if (found == null) {
      return Outcome.refused(
          410,
          "portal-invitation-invalid",
          "The invitation is unknown, used or expired; ask an operator for a new one.");
    }
    Outcome<Account> created =
        accounts.create("invitation " + found.id(), name, Role.DEVELOPER, password);
    if (created instanceof Outcome.Refused<Account>) {
      return created;
    }
    List<Invitation> next = new ArrayList<>(pending());
    next.remove(found);
    save(name, "accept invitation " + found.id(), next);
    return created;
  }

  private void save(String actor, String action, List<Invitation> next) throws IOException {
    store.putDocument(DOCUMENT, JSON.writeValueAsBytes(new Pending(next)));
    pending = List.copyOf(next);
    store.audit(new AuditEntry(clock.instant(), actor, "portal: " + action, "applied", null, ""));
  }
}
