package io.portico.spi.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every configuration error of one load, so all of them are reported at once.
 *
 * <p>Not thread-safe: one load, one thread.
 */
public final class Problems {

  private final List<Problem> problems = new ArrayList<>();

  /** Records an error found at a node: {@code path: message}. */
  public void at(ConfigNode node, String message) {
    problems.add(new Problem(node.location(), node.path(), message));
  }

  /**
   * Records an error about the key {@code key} of {@code object} (an unknown key, say), at the
   * key's own place rather than its value's: {@code path.key: message}.
   */
  public void atKey(ConfigNode object, String key, String message) {
    ConfigNode value = object.fields().get(key);
    problems.add(
        new Problem(
            object.keyLocation(key),
            value != null ? value.path() : object.childPath(key),
            message));
  }

  /** Records the standard form {@code path: <value> (expected: <rule>)}. */
  public void expected(ConfigNode node, String rule) {
    at(node, node.describe() + " (expected: " + rule + ")");
  }

  /** Records an error with an explicit place, for checks that span nodes. */
  public void add(Problem problem) {
    problems.add(problem);
  }

  /**
   * Withdraws a problem recorded earlier that a later, more precise one replaces (a missing key
   * that turns out to be misspelt); false when it is not recorded.
   */
  public boolean withdraw(Problem problem) {
    return problems.remove(problem);
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public int size() {
    return problems.size();
  }

  public List<Problem> list() {
    return List.copyOf(problems);
  }

  /** Every problem, one per line. */
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
