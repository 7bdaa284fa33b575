package io.portico.router;

/**
 * The path as a route's regex reads it, with a budget of character reads. {@code java.util.regex}
 * backtracks, and a route regex such as {@code ^/api/(.*)/(.*)/(.*)/items$} takes minutes to fail
 * on a few kilobytes of slashes: on the event loop, where every other connection of that loop
 * waits. Each read the matcher makes is counted; past {@link #READS} the match is abandoned with
 * {@link PathTooComplexException}. A regex that does not backtrack reads a path a few times over,
 * far below the budget.
 *
 * <p>One per match, confined to the matching thread.
 */
final class BoundedPath implements CharSequence {

  /** Character reads allowed per match: a few milliseconds of matching. */
  static final int READS = 1_000_000;

  private final String path;
  private int left;

  BoundedPath(String path) {
    this(path, READS);
  }

  BoundedPath(String path, int reads) {
    this.path = path;
    this.left = reads;
  }

  @Override
  public char charAt(int index) {
    if (--left < 0) {
      throw new PathTooComplexException();
    }
    return path.charAt(index);
  }

  @Override
  public int length() {
    return path.length();
  }

  @Override
  public CharSequence subSequence(int start, int end) {
    return path.substring(start, end);
  }

  @Override
  public String toString() {
    return path;
  }
}
