package io.portico.plugins.auth.basic;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.spi.plugin.Identity;
import io.portico.testing.TimingProbe;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * basic-auth's success cache never compares passwords: its entries are keyed by MACs under a key
 * only the cache knows, so a lookup compares MACs, and a password that is right except its last
 * character is missed as fast as one wrong in its first.
 */
class CredentialCacheTest {

  private static final String HASH = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";
  private static final String PASSWORD = "correct horse battery staple ".repeat(8);
  private static final Identity ALICE =
      new Identity("alice", null, "alice", Set.of(), "basic-auth", false, Map.of());

  private static String wrongAt(String secret, int at) {
    char[] c = secret.toCharArray();
    c[at] = c[at] == 'x' ? 'y' : 'x';
    return new String(c);
  }

  @Test
  void entriesAreKeyedByAMacOfFixedLengthThatContainsNoSecret() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), 10);

    String key = cache.keyOf("alice:" + PASSWORD, HASH);

    assertThat(key).matches("[0-9a-f]{64}");
    assertThat(cache.keyOf("alice:x", HASH)).matches("[0-9a-f]{64}");
    assertThat(key).doesNotContain("alice").doesNotContain("correct");
  }

  @Test
  void theMacKeyIsTheCachesOwnAndCoversTheStoredHash() {
    CredentialCache one = new CredentialCache(Duration.ofMinutes(1), 10);
    CredentialCache other = new CredentialCache(Duration.ofMinutes(1), 10);
    String credentials = "alice:" + PASSWORD;

    assertThat(one.keyOf(credentials, HASH)).isEqualTo(one.keyOf(credentials, HASH));
    assertThat(one.keyOf(credentials, HASH)).isNotEqualTo(other.keyOf(credentials, HASH));
    assertThat(one.keyOf(credentials, HASH))
        .isNotEqualTo(one.keyOf(credentials, HASH.replace('N', 'M')));
  }

  @Test
  void onlyTheMacOfTheRightCredentialsFindsTheEntry() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), 10);
    String credentials = "alice:" + PASSWORD;
    cache.put(cache.keyOf(credentials, HASH), ALICE);

    assertThat(cache.get(cache.keyOf(credentials, HASH))).isEqualTo(ALICE);
    assertThat(cache.get(credentials)).isNull();
    assertThat(cache.get(PASSWORD)).isNull();
    assertThat(cache.get(cache.keyOf(wrongAt(credentials, credentials.length() - 1), HASH)))
        .isNull();
  }

  @Test
  void aDisabledCacheRemembersNothing() {
    CredentialCache noTtl = new CredentialCache(Duration.ZERO, 10);
    CredentialCache noRoom = new CredentialCache(Duration.ofMinutes(1), 0);
    for (CredentialCache cache : new CredentialCache[] {noTtl, noRoom}) {
      String key = cache.keyOf("alice:" + PASSWORD, HASH);
      cache.put(key, ALICE);
      assertThat(cache.enabled()).isFalse();
      assertThat(cache.get(key)).isNull();
    }
  }

  @Test
  void aPasswordWrongInItsLastCharacterIsMissedAsFastAsOneWrongInItsFirst() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), 10);
    String credentials = "alice:" + PASSWORD;
    cache.put(cache.keyOf(credentials, HASH), ALICE);
    String nearlyRight = wrongAt(credentials, credentials.length() - 1);
    String wrongFromTheStart = wrongAt(credentials, "alice:".length());

    TimingProbe.Verdict verdict =
        TimingProbe.compare(
            () -> cache.get(cache.keyOf(nearlyRight, HASH)),
            () -> cache.get(cache.keyOf(wrongFromTheStart, HASH)));

    assertThat(verdict.indistinguishable()).as(verdict.toString()).isTrue();
  }
}
