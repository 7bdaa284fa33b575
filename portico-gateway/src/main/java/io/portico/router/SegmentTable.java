package io.portico.router;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An immutable open-addressing hash table looked up by a region of a {@link CharSequence}, so that
 * a path segment or a host suffix is found without cutting a substring. Keys are compared exactly,
 * or ASCII-case-insensitively (for host names).
 */
final class SegmentTable<V> {

  private final String[] keys;
  private final int[] hashes;
  private final Object[] values;
  private final int mask;
  private final boolean ignoreCase;

  SegmentTable(Map<String, V> entries, boolean ignoreCase) {
    int capacity = 2;
    while (capacity < entries.size() * 2) {
      capacity <<= 1;
    }
    this.keys = new String[capacity];
    this.hashes = new int[capacity];
    this.values = new Object[capacity];
    this.mask = capacity - 1;
    this.ignoreCase = ignoreCase;
    for (Map.Entry<String, V> entry : entries.entrySet()) {
      String key = entry.getKey();
      int hash = hash(key, 0, key.length(), ignoreCase);
      int i = spread(hash) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = key;
      hashes[i] = hash;
      values[i] = entry.getValue();
    }
  }

  /** The value whose key equals {@code s[from, to)}, or null. */
  @SuppressWarnings("unchecked")
  @Nullable V get(CharSequence s, int from, int to) {
    int hash = hash(s, from, to, ignoreCase);
    int length = to - from;
    for (int i = spread(hash) & mask; keys[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == hash && keys[i].length() == length && regionEquals(keys[i], s, from)) {
        return (V) values[i];
      }
    }
    return null;
  }

  private boolean regionEquals(String key, CharSequence s, int from) {
    for (int i = 0; i < key.length(); i++) {
      char a = key.charAt(i);
      char b = s.charAt(from + i);
      if (a != b && !(ignoreCase && lower(a) == lower(b))) {
        return false;
      }
    }
    return true;
  }

  private static int hash(CharSequence s, int from, int to, boolean ignoreCase) {
    int hash = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      hash = 31 * hash + (ignoreCase ? lower(c) : c);
    }
    return hash;
  }

  private static int spread(int hash) {
    return hash ^ (hash >>> 16);
  }

  private static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }
}
