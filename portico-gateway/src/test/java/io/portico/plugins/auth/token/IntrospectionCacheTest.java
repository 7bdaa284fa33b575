package io.portico.plugins.auth.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IntrospectionCacheTest {

  @Test
  void keyIsADigestNeverTheToken() {
    String key = IntrospectionCache.keyOf("secret-token");
    assertThat(key).doesNotContain("secret").hasSize(43);
    assertThat(IntrospectionCache.keyOf("secret-token")).isEqualTo(key);
    assertThat(IntrospectionCache.keyOf("secret-tokem")).isNotEqualTo(key);
  }

  @Test
  void dropsAnswersAtTheirExpiry() {
    IntrospectionCache cache = new IntrospectionCache(10);
    cache.put("k", new IntrospectionCache.Answer(true, Map.of(), 100));
    assertThat(cache.get("k", 99)).isNotNull();
    assertThat(cache.get("k", 100)).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void staysWithinItsBoundEvictingTheLeastRecentlyUsed() {
    IntrospectionCache cache = new IntrospectionCache(3);
    for (int i = 0; i < 3; i++) {
      cache.put("k" + i, new IntrospectionCache.Answer(true, Map.of(), Long.MAX_VALUE));
    }
    assertThat(cache.get("k0", 0)).isNotNull();
    cache.put("k3", new IntrospectionCache.Answer(true, Map.of(), Long.MAX_VALUE));
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("k1", 0)).isNull();
    assertThat(cache.get("k0", 0)).isNotNull();
  }
}
