package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Trailers whose map is made on the first write: empty until then, Netty's trailers after. */
class DeferredTrailersTest {

  @Test
  void readsAsAnEmptyMapUntilWrittenTo() {
    HttpHeaders t = DeferredTrailers.FACTORY.newHeaders();
    assertThat(t.isEmpty()).isTrue();
    assertThat(t.size()).isZero();
    assertThat(t.get("x-checksum")).isNull();
    assertThat(t.getAll("x-checksum")).isEmpty();
    assertThat(t.contains("x-checksum")).isFalse();
    assertThat(t.getInt("x-count", 7)).isEqualTo(7);
    assertThat(t.names()).isEmpty();
    assertThat(t.iteratorCharSequence().hasNext()).isFalse();
    assertThat(t.copy().isEmpty()).isTrue();
    t.remove("x-checksum").clear();
    assertThat(t.isEmpty()).isTrue();
  }

  @Test
  void keepsWhatIsWrittenAsNettysTrailersDo() {
    HttpHeaders t = DeferredTrailers.FACTORY.newHeaders();
    t.add("X-Checksum", "abc").add("x-other", "1").add("x-other", "2");
    assertThat(t.isEmpty()).isFalse();
    assertThat(t.size()).isEqualTo(3);
    assertThat(t.get("x-checksum")).isEqualTo("abc");
    assertThat(t.getAll("X-Other")).containsExactly("1", "2");
    assertThat(t.contains("x-other", "2", false)).isTrue();
    t.set("x-other", "3");
    assertThat(t.getAll("x-other")).containsExactly("3");
    t.remove("x-checksum");
    assertThat(t.names()).containsExactly("x-other");
    HttpHeaders copy = t.copy();
    t.clear();
    assertThat(t.isEmpty()).isTrue();
    assertThat(copy.get("x-other")).isEqualTo("3");

    HttpHeaders other = new DefaultHttpHeaders().add("x-a", "1");
    HttpHeaders u = DeferredTrailers.FACTORY.newHeaders().set(other);
    assertThat(u.get("x-a")).isEqualTo("1");
  }

  @Test
  void refusesWhatNettysTrailersRefuse() {
    HttpHeaders t = DeferredTrailers.FACTORY.newHeaders();
    assertThatThrownBy(() -> t.add("x(y)", "1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.add("Content-Length", "1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.set("x-ok", "a\r\nInjected: 1"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
