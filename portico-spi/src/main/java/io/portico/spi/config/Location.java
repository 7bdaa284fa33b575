package io.portico.spi.config;

/**
 * Where a configuration node starts: a source (file name or {@code <admin>}), a 1-based line and
 * column. {@link #UNKNOWN} is used for values that were not read from a document (defaults).
 */
public record Location(String source, int line, int column) {

  public static final Location UNKNOWN = new Location("<default>", 0, 0);

  @Override
  public String toString() {
    return line > 0 ? source + ":" + line + ":" + column : source;
  }
}
