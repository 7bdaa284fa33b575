package io.portico.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.accounts.Accounts;
import io.portico.accounts.Outcome;
import io.portico.config.ConsoleConfig;
import io.portico.store.AuditEntry;
import io.portico.store.DirectoryConfigStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An invitation's token against someone who got hold of it: it stops working at its expiry, after
 * its one use, and after an operator withdraws it, all with the same 410 (no oracle telling which);
 * and the token itself is written nowhere, neither in the store's documents nor in the audit log.
 */
class InvitationTokenAttackTest {

  private static final String PASSWORD = "correct horse battery";

  @TempDir Path dir;

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2026-01-05T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aTokenStopsAtItsExpiryAfterItsUseAndWhenWithdrawnAndIsStoredNowhere() throws Exception {
    MovableClock clock = new MovableClock();
    try (DirectoryConfigStore store = DirectoryConfigStore.open(dir.resolve("store"), 10)) {
      Accounts accounts = Accounts.open(store, ConsoleConfig.DEFAULTS, clock);
      Invitations invitations = Invitations.open(store, clock, 60);

      String expiring = invitations.invite("admin", "for Eve").value().token();
      String used = invitations.invite("admin", "for Dana").value().token();
      Invitations.Issued withdrawn = invitations.invite("admin", "for Carol").value();

      assertThat(invitations.accept(used, "dana", PASSWORD, accounts))
          .isInstanceOf(Outcome.Done.class);
      assertGone(invitations.accept(used, "dana2", PASSWORD, accounts));

      invitations.revoke("admin", withdrawn.invitation().id());
      assertGone(invitations.accept(withdrawn.token(), "carol", PASSWORD, accounts));

      clock.advance(Duration.ofSeconds(61));
      assertGone(invitations.accept(expiring, "eve", PASSWORD, accounts));
      assertThat(invitations.pending()).isEmpty();
      assertThat(accounts.account("eve")).isNull();
      assertThat(accounts.account("carol")).isNull();

      // a token one character off, and the stored hash itself, are refused too
      String other = invitations.invite("admin", "").value().token();
      assertGone(
          invitations.accept(
              other.substring(0, other.length() - 1) + (other.endsWith("A") ? "B" : "A"),
              "mallory",
              PASSWORD,
              accounts));
      String hash = invitations.pending().get(0).hash();
      assertGone(invitations.accept(hash, "mallory", PASSWORD, accounts));

      for (String token : new String[] {expiring, used, withdrawn.token(), other}) {
        assertThat(storedText(dir.resolve("store"))).doesNotContain(token);
        assertThat(store.audit(100).stream().map(AuditEntry::toString))
            .noneMatch(line -> line.contains(token));
      }
    }
  }

  private static void assertGone(Outcome<?> o) {
    assertThat(o).isInstanceOf(Outcome.Refused.class);
    io.portico.accounts.Refusal r = ((Outcome.Refused<?>) o).refusal();
    assertThat(r.status()).isEqualTo(410);
    assertThat(r.detail())
        .isEqualTo("The invitation is unknown, used or expired; ask an operator for a new one.");
  }

  private static String storedText(Path root) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        sb.append(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    }
    return sb.toString();
  }
}
