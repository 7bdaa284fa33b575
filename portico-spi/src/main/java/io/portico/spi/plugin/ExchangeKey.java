package io.portico.spi.plugin;

/**
 * A typed key for per-exchange state shared between plugins (e.g. the authenticated consumer). Keys
 * compare by identity: create each once, as a constant.
 */
public final class ExchangeKey<T> {

  private final String name;

  private ExchangeKey(String name) {
    this.name = name;
  }

  public static <T> ExchangeKey<T> of(String name) {
    return new ExchangeKey<>(name);
  }

  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
