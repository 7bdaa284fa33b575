package io.portico.upstream;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The trailers of an upstream response's end, whose map is made on the first write. The response
 * decoder makes trailers for every response's end, and nearly every response ends without any: an
 * empty one is this object alone (16 bytes) instead of Netty's header map (about 110 bytes with its
 * bucket array and head entry).
 *
 * <p>Reads of an empty one answer as an empty map does; the first write makes the map, with Netty's
 * trailer validation and 2 buckets (the few fields a response with trailers carries are chained in
 * them), and every call then goes to it. Like any {@link HttpHeaders}, it belongs to the message it
 * came with and is used on that message's event loop.
 */
public final class DeferredTrailers extends HttpHeaders {

  private static final DefaultHttpHeadersFactory NETTY =
      DefaultHttpHeadersFactory.trailersFactory();

  /** Makes a deferred map per message end; the decoder's empty trailers are Netty's. */
  public static final HttpHeadersFactory FACTORY =
      new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
          return new DeferredTrailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
          return NETTY.newEmptyHeaders();
        }
      };

  private @Nullable HttpHeaders map;

  private DeferredTrailers() {}

  /** The map, made now if it was not yet. */
  private HttpHeaders map() {
    HttpHeaders m = map;
    if (m == null) {
      m = new CompactMap();
      map = m;
    }
    return m;
  }

  /** Netty's trailer map with its validation and 2 buckets instead of 16. */
  private static final class CompactMap extends DefaultHttpHeaders {
    CompactMap() {
      super(NETTY.getNameValidator(), NETTY.getValueValidator(), 2);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public @Nullable String get(String name) {
    return map == null ? null : map.get(name);
  }

  @Override
  public @Nullable String get(CharSequence name) {
    return map == null ? null : map.get(name);
  }

  @Override
  public @Nullable Integer getInt(CharSequence name) {
    return map == null ? null : map.getInt(name);
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    return map == null ? defaultValue : map.getInt(name, defaultValue);
  }

  @Override
  public @Nullable Short getShort(CharSequence name) {
    return map == null ? null : map.getShort(name);
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    return map == null ? defaultValue : map.getShort(name, defaultValue);
  }

  @Override
  public @Nullable Long getTimeMillis(CharSequence name) {
    return map == null ? null : map.getTimeMillis(name);
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    return map == null ? defaultValue : map.getTimeMillis(name, defaultValue);
  }

  @Override
  public List<String> getAll(String name) {
    return map == null ? Collections.emptyList() : map.getAll(name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    return map == null ? Collections.emptyList() : map.getAll(name);
  }

  @Override
  public List<Map.Entry<String, String>> entries() {
    return map == null ? Collections.emptyList() : map.entries();
  }

  @Override
  public boolean contains(String name) {
    return map != null && map.contains(name);
  }

  @Override
  public boolean contains(CharSequence name) {
    return map != null && map.contains(name);
  }

  @Override
  public boolean contains(String name, String value, boolean ignoreCase) {
    return map != null && map.contains(name, value, ignoreCase);
  }

  @Override
  public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
    return map != null && map.contains(name, value, ignoreCase);
  }

  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    return map != null && map.containsValue(name, value, ignoreCase);
  }

  /** Netty deprecates it for {@link #iteratorCharSequence}, but still declares it abstract. */
  @Override
  @Deprecated
  @SuppressWarnings("deprecation")
  public Iterator<Map.Entry<String, String>> iterator() {
    return map == null ? Collections.emptyIterator() : map.iterator();
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    return map == null ? Collections.emptyIterator() : map.iteratorCharSequence();
  }

  @Override
  public Iterator<String> valueStringIterator(CharSequence name) {
    return map == null ? Collections.emptyIterator() : map.valueStringIterator(name);
  }

  @Override
  public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
    return map == null ? Collections.emptyIterator() : map.valueCharSequenceIterator(name);
  }

  @Override
  public boolean isEmpty() {
    return map == null || map.isEmpty();
  }

  @Override
  public int size() {
    return map == null ? 0 : map.size();
  }

  @Override
  public Set<String> names() {
    return map == null ? Collections.emptySet() : map.names();
  }

  @Override
  public HttpHeaders copy() {
    return map == null ? new CompactMap() : map.copy();
  }

  // ---------------------------------------------------------------- writes (make the map)

  @Override
  public HttpHeaders add(String name, Object value) {
    map().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    map().add(name, value);
    return this;
  }

  @Override
  public HttpHeaders add(String name, Iterable<?> values) {
    map().add(name, values);
    return this;
  }

  @Override
  public HttpHeaders add(CharSequence name, Iterable<?> values) {
    map().add(name, values);
    return this;
  }

  @Override
  public HttpHeaders add(HttpHeaders headers) {
    if (!headers.isEmpty()) {
      map().add(headers);
    }
    return this;
  }

  @Override
  public HttpHeaders addInt(CharSequence name, int value) {
    map().addInt(name, value);
    return this;
  }

  @Override
  public HttpHeaders addShort(CharSequence name, short value) {
    map().addShort(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Object value) {
    map().set(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(CharSequence name, Object value) {
    map().set(name, value);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Iterable<?> values) {
    map().set(name, values);
    return this;
  }

  @Override
  public HttpHeaders set(CharSequence name, Iterable<?> values) {
    map().set(name, values);
    return this;
  }

  @Override
  public HttpHeaders set(HttpHeaders headers) {
    if (map != null || !headers.isEmpty()) {
      map().set(headers);
    }
    return this;
  }

  @Override
  public HttpHeaders setAll(HttpHeaders headers) {
    if (!headers.isEmpty()) {
      map().setAll(headers);
    }
    return this;
  }

  @Override
  public HttpHeaders setInt(CharSequence name, int value) {
    map().setInt(name, value);
    return this;
  }

  @Override
  public HttpHeaders setShort(CharSequence name, short value) {
    map().setShort(name, value);
    return this;
  }

  @Override
  public HttpHeaders remove(String name) {
    if (map != null) {
      map.remove(name);
    }
    return this;
  }

  @Override
  public HttpHeaders remove(CharSequence name) {
    if (map != null) {
      map.remove(name);
    }
    return this;
  }

  @Override
  public HttpHeaders clear() {
    if (map != null) {
      map.clear();
    }
    return this;
  }
}
