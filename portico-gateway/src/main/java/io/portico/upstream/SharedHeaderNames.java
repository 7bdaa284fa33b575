package io.portico.upstream;

import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A fixed set of header names as shared constants, each in two spellings (as given, and in lower
 * case), for a decoder to use instead of making a new {@link AsciiString} per field. A constant
 * stands for a name only when its bytes are exactly the name's bytes, case included, so a decoded
 * field keeps the bytes the peer sent; any other name is decoded as Netty decodes it.
 *
 * <p>The names are indexed by length, then compared by first byte: a few byte compares per name.
 * Immutable and thread-safe; each decoder's set is made once and shared by every connection.
 */
public final class SharedHeaderNames {

  private final @Nullable AsciiString[][] byLength;

  private SharedHeaderNames(String... names) {
    int longest = 0;
    for (String n : names) {
      longest = Math.max(longest, n.length());
    }
    byLength = new AsciiString[longest + 1][];
    for (String n : names) {
      add(AsciiString.cached(n));
      String lower = n.toLowerCase(Locale.ROOT);
      if (!lower.equals(n)) {
        add(AsciiString.cached(lower));
      }
    }
  }

  /** The names, each also in lower case; a name given twice is kept once. */
  public static SharedHeaderNames of(String... names) {
    return new SharedHeaderNames(names);
  }

  private void add(AsciiString name) {
    AsciiString[] same = byLength[name.length()];
    if (same == null) {
      byLength[name.length()] = new AsciiString[] {name};
    } else if (!Arrays.asList(same).contains(name)) {
      AsciiString[] grown = Arrays.copyOf(same, same.length + 1);
      grown[same.length] = name;
      byLength[name.length()] = grown;
    }
  }

  /** The shared name whose bytes are {@code bytes[start, start + length)}, or null. */
  public @Nullable AsciiString find(byte[] bytes, int start, int length) {
    if (length <= 0 || length >= byLength.length) {
      return null;
    }
    AsciiString[] candidates = byLength[length];
    if (candidates == null) {
      return null;
    }
    byte first = bytes[start];
    for (AsciiString candidate : candidates) {
      if (candidate.byteAt(0) == first && sameBytes(candidate, bytes, start, length)) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean sameBytes(AsciiString name, byte[] bytes, int start, int length) {
    byte[] own = name.array();
    int offset = name.arrayOffset();
    for (int i = 1; i < length; i++) {
      if (own[offset + i] != bytes[start + i]) {
        return false;
      }
    }
    return true;
  }
}
