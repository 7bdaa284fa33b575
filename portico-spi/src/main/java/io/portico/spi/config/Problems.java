package io.portico.spi.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every configuration error of one load, so all of them are reported at once.
 *
 * <p>A collection made with {@link #keeping} keeps its first problems only and counts the rest, so
 * that a document with a million mistakes (a hostile write through the admin API) costs a bounded
 * list; {@link #size()} is every problem found, {@link #list()} those kept. A reader that builds an
 * expensive message asks {@link #full()} first and, when full, only {@link #countNotKept}.
 *
 * <p>Not thread-safe: one load, one thread.
 */
public final class Problems {

  private final List<Problem> problems = new ArrayList<>();
  private final int keep;
  private int notKept;

  /** Keeps every problem. */
  public Problems() {
    this(Integer.MAX_VALUE);
  }

  private Problems(int keep) {
    this.keep = keep;
  }

  /** Keeps the first {@code keep} problems and counts the others. */
  public static Problems keeping(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep: " + keep + " (expected: at least 1)");
    }
    return new Problems(keep);
  }

  /** How many problems this collection keeps; the others are counted. */
  public int keeps() {
    return keep;
  }

  /** Whether the next problem would only be counted. */
  public boolean full() {
    return problems.size() >= keep;
  }

  /** Counts {@code n} problems found and not kept (the collection is {@link #full()}). */
  public void countNotKept(int n) {
    notKept += n;
  }

  /** How many problems were found and only counted. */
  public int notKept() {
    return notKept;
  }

  /** Records an error found at a node: {@code path: message}. */
  public void at(ConfigNode node, String message) {
    add(new Problem(node.location(), node.path(), message));
  }

  /**
   * Records an error about the key {@code key} of {@code object} (an unknown key, say), at the
   * key's own place rather than its value's: {@code path.key: message}.
   */
  public void atKey(ConfigNode object, String key, String message) {
    if (full()) {
      notKept++;
      return;
    }
    ConfigNode value = object.fields().get(key);
    problems.add(
        new Problem(
            object.keyLocation(key),
            value != null ? value.path() : object.childPath(key),
            message));
  }

  /** Records the standard form {@code path: <value> (expected: <rule>)}. */
  public void expected(ConfigNode node, String rule) {
    if (full()) {
      notKept++;
      return;
    }
    at(node, node.describe() + " (expected: " + rule + ")");
  }

  /** Records an error with an explicit place, for checks that span nodes. */
  public void add(Problem problem) {
    if (full()) {
      notKept++;
    } else {
      problems.add(problem);
    }
  }

  /**
   * Withdraws a problem recorded earlier that a later, more precise one replaces (a missing key
   * that turns out to be misspelt); false when it is not recorded.
   */
  public boolean withdraw(Problem problem) {
    return problems.remove(problem);
  }

  public boolean isEmpty() {
    return problems.isEmpty() && notKept == 0;
  }

  /** Every problem found, kept or only counted. */
  public int size() {
    return problems.size() + notKept;
  }

  /** The problems kept: all of them unless made with {@link #keeping}. */
  public List<Problem> list() {
    return List.copyOf(problems);
  }

  /** Every problem kept, one per line. */
  public String render() {
    StringBuilder out = new StringBuilder();
    for (Problem p : problems) {
      out.append(p).append('\n');
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
