package io.portico.store;

import java.util.Comparator;

/** One config object: its kind and name ({@code routes/users}). */
public record ObjectKey(ObjectKind kind, String name) implements Comparable<ObjectKey> {

  private static final Comparator<ObjectKey> ORDER =
      Comparator.comparing(ObjectKey::kind).thenComparing(ObjectKey::name);

  /** The object's admin path: {@code /routes/users}. */
  public String resource() {
    return "/" + kind.section() + "/" + name;
  }

  @Override
  public int compareTo(ObjectKey other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return kind.section() + "/" + name;
  }
}
