package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decoded messages' header map: entries kept across messages, fields counted in place. */
class KeptHeadersTest {

  private static KeptHeaders newMap() {
    HttpHeaders map = KeptHeaders.in(new HttpDecoderConfig()).getHeadersFactory().newHeaders();
    assertThat(map).isInstanceOf(KeptHeaders.class);
    return (KeptHeaders) map;
  }

  private static Map.Entry<CharSequence, CharSequence> first(HttpHeaders map) {
    return map.iteratorCharSequence().next();
  }

  @Test
  void aRemovedEntryIsTakenAgainOnlyAfterTheMapIsGivenBack() {
    KeptHeaders map = newMap();
    map.add(HttpHeaderNames.HOST, "client.example");
    Map.Entry<CharSequence, CharSequence> host = first(map);
    map.remove(HttpHeaderNames.HOST);

    // while the message is in use, a removed entry keeps what it held
    map.add(HttpHeaderNames.HOST, "again.example");
    Map.Entry<CharSequence, CharSequence> again = first(map);
    assertThat(again).isNotSameAs(host);
    assertThat(host.getValue()).isEqualTo("client.example");
    map.remove(HttpHeaderNames.HOST);
    map.add("x-other", "1");

    map.recycle();
    assertThat(map.isEmpty()).isTrue();
    map.add(HttpHeaderNames.HOST, "next.example");
    Map.Entry<CharSequence, CharSequence> next = first(map);
    assertThat(next).isIn(host, again);
    assertThat(next.getValue()).isEqualTo("next.example");
    assertThat(map.get(HttpHeaderNames.HOST)).isEqualTo("next.example");
    assertThat(map.size()).isEqualTo(1);
  }

  @Test
  void countsFieldsOfANameWithoutCase() {
    KeptHeaders map = newMap();
    assertThat(map.count(HttpHeaderNames.HOST)).isZero();
    map.add("Host", "a.example");
    map.add("X-Other", "1");
    map.add(HttpHeaderNames.HOST, "b.example");
    map.add("HOSTS", "c.example");
    assertThat(map.count(HttpHeaderNames.HOST)).isEqualTo(2);
    assertThat(map.get(HttpHeaderNames.HOST)).isEqualTo("a.example");
  }
}
