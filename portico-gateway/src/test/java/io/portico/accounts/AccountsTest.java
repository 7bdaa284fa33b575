package io.portico.accounts;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Accounts} against a real store directory and a clock the test moves: session expiry when
 * idle and absolutely, the setup link's lifetime, throttling's lock and reopening from the store.
 */
class AccountsTest {

  private static final String PASSWORD = "correct horse battery";

  @TempDir Path dir;

  /** A clock the test moves forward. */
  private static final class MovingClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

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

  private final MovingClock clock = new MovingClock();
  private final ConsoleConfig config =
      new ConsoleConfig(
          true, Duration.ofMinutes(30), Duration.ofHours(2), false, Duration.ofMinutes(10));

  private Accounts open() throws Exception {
    return Accounts.open(DirectoryConfigStore.open(dir, 10), config, clock);
  }

  private static Session signedIn(Outcome<Session> o) {
    assertThat(o).isInstanceOf(Outcome.Done.class);
    return ((Outcome.Done<Session>) o).value();
  }

  @Test
  void aSessionEndsWhenIdleAndAtItsAbsoluteLimit() throws Exception {
    Accounts accounts = open();
    accounts.bootstrap(PASSWORD);
    Session s = signedIn(accounts.signIn("admin", PASSWORD, "127.0.0.1", "test"));
    clock.advance(Duration.ofMinutes(29));
    assertThat(accounts.session(s.secret())).isSameAs(s);
    clock.advance(Duration.ofMinutes(29));
    assertThat(accounts.session(s.secret())).as("used within the idle time").isSameAs(s);
    clock.advance(Duration.ofMinutes(31));
    assertThat(accounts.session(s.secret())).as("idle too long").isNull();

    Session busy = signedIn(accounts.signIn("admin", PASSWORD, "127.0.0.1", "test"));
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofMinutes(15));
      assertThat(accounts.session(busy.secret())).isNotNull();
    }
    clock.advance(Duration.ofMinutes(15));
    assertThat(accounts.session(busy.secret())).as("past session-max").isNull();
  }

  @Test
  void theSetupLinkExpires() throws Exception {
    Accounts accounts = open();
    String token = accounts.bootstrap(null).orElseThrow();
    assertThat(accounts.setupPending()).isTrue();
    clock.advance(Duration.ofMinutes(11));
    assertThat(accounts.setupPending()).isFalse();
    Outcome<Session> late = accounts.setup(token, "root", PASSWORD, "127.0.0.1", "test");
    assertThat(late).isInstanceOf(Outcome.Refused.class);
    assertThat(accounts.empty()).isTrue();
  }

  @Test
  void aSetupWithAWrongTokenIsRefusedBeforeThePasswordIsHashed() throws Exception {
    Accounts accounts = open();
    String token = accounts.bootstrap(null).orElseThrow();
    int hashes = accounts.passwordHashes();
    for (int i = 0; i < 3; i++) {
      Outcome<Session> refused =
          accounts.setup("not-the-token", "root", PASSWORD, "10.0.0.7", "test");
      assertThat(((Outcome.Refused<Session>) refused).refusal().status()).isEqualTo(403);
    }
    assertThat(accounts.passwordHashes()).as("no bcrypt work for a refused link").isEqualTo(hashes);

    signedIn(accounts.setup(token, "root", PASSWORD, "127.0.0.1", "test"));
    hashes = accounts.passwordHashes();
    assertThat(accounts.setup(token, "root2", PASSWORD, "10.0.0.7", "test"))
        .as("used: an account exists")
        .isInstanceOf(Outcome.Refused.class);
    assertThat(accounts.passwordHashes()).isEqualTo(hashes);
  }

  @Test
  void aSignInWithANameNoAccountCanHaveKeepsOnlyItsFirst64CharactersInTheAuditLog()
      throws Exception {
    Accounts accounts = open();
    accounts.bootstrap(PASSWORD);
    String huge = "a".repeat(1024 * 1024);
    for (int i = 0; i < 3; i++) {
      Outcome<Session> refused = accounts.signIn(huge + i, PASSWORD, "10.0.0.9", "test");
      assertThat(((Outcome.Refused<Session>) refused).refusal().status()).isEqualTo(401);
    }
    assertThat(Files.size(dir.resolve("audit.jsonl")))
        .as("three refused sign-ins, not three megabytes")
        .isLessThan(4096);
    AuditEntry last = DirectoryConfigStore.open(dir, 10).audit(1).get(0);
    assertThat(last.actor()).isEqualTo("a".repeat(64) + "\u2026");
    assertThat(last.outcome()).isEqualTo("rejected");
    assertThat(
            ((Outcome.Refused<Session>) accounts.signIn("adm\u0001in", PASSWORD, "10.0.0.9", "t"))
                .refusal()
                .status())
        .as("a name with a control character is no account's, whatever the password")
        .isEqualTo(401);
    assertThat(DirectoryConfigStore.open(dir, 10).audit(1).get(0).actor()).isEqualTo("adm?in");
    signedIn(accounts.signIn("admin", PASSWORD, "10.0.0.9", "test"));
  }

  @Test
  void aLockedAccountOpensAgainAfterItsLockAndLocksLongerEachTime() throws Exception {
    Accounts accounts = open();
    accounts.bootstrap(PASSWORD);
    for (int i = 0; i < 5; i++) {
      accounts.signIn("admin", "wrong-password", "10.0.0.1", "test");
    }
    Outcome<Session> locked = accounts.signIn("admin", PASSWORD, "10.0.0.2", "test");
    assertThat(((Outcome.Refused<Session>) locked).refusal().status()).isEqualTo(429);
    clock.advance(SignInThrottle.FIRST_LOCK);
    accounts.signIn("admin", "wrong-password", "10.0.0.3", "test");
    clock.advance(SignInThrottle.FIRST_LOCK);
    assertThat(accounts.signIn("admin", PASSWORD, "10.0.0.4", "test"))
        .as("the second lock is twice as long")
        .isInstanceOf(Outcome.Refused.class);
    clock.advance(SignInThrottle.FIRST_LOCK);
    signedIn(accounts.signIn("admin", PASSWORD, "10.0.0.5", "test"));
  }

  @Test
  void accountsAndTokensAreReadBackFromTheStoreAndSessionsAreNot() throws Exception {
    Accounts first = open();
    first.bootstrap(PASSWORD);
    Session s = signedIn(first.signIn("admin", PASSWORD, "127.0.0.1", "test"));
    Accounts.NewToken t =
        ((Outcome.Done<Accounts.NewToken>) first.createToken("admin", "ci")).value();
    first.create("admin", "vera", Role.VIEWER, PASSWORD);

    Accounts again = open();
    assertThat(again.bootstrap(null)).isEmpty();
    assertThat(again.list()).extracting(Account::name).containsExactly("admin", "vera");
    assertThat(again.account("vera").role()).isEqualTo(Role.VIEWER);
    assertThat(again.tokenAccount(t.token()).name()).isEqualTo("admin");
    assertThat(again.session(s.secret())).isNull();
    signedIn(again.signIn("vera", PASSWORD, "127.0.0.1", "test"));
  }
}
