package io.portico.plugins.auth.basic;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.spi.plugin.Identity;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * basic-auth's success cache never compares passwords: its entries are keyed by MACs under a key
 * only the cache knows, so a lookup compares MACs, and the MAC of a password that is right except
 * its last character is as far from the right MAC as any other: a miss cannot take longer for it.
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

  /**
   * Why a miss takes no longer for a nearly right password: the lookup compares MACs, and the MAC
   * of a password wrong only in its last character shares nothing more with the right one than the
   * MAC of any other password does. An entry key that kept anything of the password (the password
   * itself, a prefix-preserving encoding, a truncated hash of it) would share long prefixes with
   * the right key, and the map's equality check would then run longer the more of the password is
   * right.
   */
  @Test
  void aPasswordWrongInItsLastCharacterGetsAKeyUnrelatedToTheRightOne() {
    CredentialCache cache = new CredentialCache(Duration.ofMinutes(1), 10);
    String credentials = "alice:" + PASSWORD;
    String right = cache.keyOf(credentials, HASH);

    int samples = 0;
    int sharedPrefix = 0;
    int differingBits = 0;
    for (int at = "alice:".length(); at < credentials.length(); at++) {
      String nearly = cache.keyOf(wrongAt(credentials, at), HASH);
      sharedPrefix += commonPrefix(right, nearly);
      differingBits += differingBits(right, nearly);
      samples++;
    }

    // Unrelated 64-digit hex keys share 1/15 of a digit of prefix on average, and differ in
    // half of their 256 bits.
    assertThat((double) sharedPrefix / samples).isLessThan(0.5);
    assertThat((double) differingBits / samples).isBetween(112.0, 144.0);
    String nearlyRight = cache.keyOf(wrongAt(credentials, credentials.length() - 1), HASH);
    assertThat(commonPrefix(right, nearlyRight)).isLessThan(8);
  }

  private static int commonPrefix(String a, String b) {
    int n = 0;
    while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
      n++;
    }
    return n;
  }

  private static int differingBits(String hexA, String hexB) {
    int bits = 0;
    for (int i = 0; i < hexA.length(); i++) {
      bits +=
          Integer.bitCount(
              Character.digit(hexA.charAt(i), 16) ^ Character.digit(hexB.charAt(i), 16));
    }
    return bits;
  }
}
