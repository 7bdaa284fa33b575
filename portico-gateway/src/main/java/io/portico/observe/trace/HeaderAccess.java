package io.portico.observe.trace;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.jspecify.annotations.Nullable;

/** Reads and writes propagation headers on Netty's {@link HttpHeaders}. */
enum HeaderAccess implements TextMapGetter<HttpHeaders>, TextMapSetter<HttpHeaders> {
  INSTANCE;

  @Override
  public @Nullable String get(@Nullable HttpHeaders carrier, String key) {
    return carrier == null ? null : carrier.get(key);
  }

  @Override
  public void set(@Nullable HttpHeaders carrier, String key, String value) {
    if (carrier != null) {
      carrier.set(key, value);
    }
  }
}
