package io.portico.accounts;

import org.jspecify.annotations.Nullable;

/** What an account operation gave: a value, or the reason it was refused. */
public sealed interface Outcome<T> {

  /** The operation was done. */
  record Done<T>(T value) implements Outcome<T> {}

  /** Nothing changed. */
  record Refused<T>(Refusal refusal) implements Outcome<T> {}

  static <T> Outcome<T> done(T value) {
    return new Done<>(value);
  }

  static <T> Outcome<T> refused(int status, String type, String detail) {
    return new Refused<>(new Refusal(status, type, detail));
  }

  /** The value, or null when refused. */
  default @Nullable T value() {
    return this instanceof Done<T> d ? d.value() : null;
  }
}
