package io.portico.config;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Says in plain words what is wrong with a line that YAML refused for its indentation: how far it
 * is indented, and how far the lines it could belong with are ("line 7 is indented by 3 spaces, the
 * lines above it by 4 (line 6), 2 (line 5) or 0 (line 4)"), instead of the parser's {@code expected
 * <block end>, but found '<block mapping start>'}. A pure function of the text; used by {@link
 * ConfigLoader} for a YAML syntax error.
 */
final class IndentationHint {

  private IndentationHint() {}

  /**
   * The sentence for {@code line} (from 1) of {@code text}, or null when its indentation is one of
   * the levels open above it (the error is then not its indentation).
   */
  static @Nullable String of(String text, int line) {
    String[] lines = text.split("\r?\n", -1);
    if (line < 2 || line > lines.length || lines[line - 1].isBlank()) {
      return null;
    }
    int own = indent(lines[line - 1]);
    List<int[]> levels = new ArrayList<>(); // {spaces, line}
    int limit = Integer.MAX_VALUE;
    for (int i = line - 2; i >= 0 && limit > 0; i--) {
      String l = lines[i];
      String t = l.strip();
      if (t.isEmpty() || t.startsWith("#") || t.equals("---")) {
        continue;
      }
      int start = indent(l);
      int key = keyIndent(l, start);
      if (key < limit) {
        levels.add(new int[] {key, i + 1});
        limit = key;
      }
      if (start < limit) {
        levels.add(new int[] {start, i + 1});
        limit = start;
      }
    }
    if (levels.isEmpty()) {
      return null;
    }
    for (int[] level : levels) {
      if (level[0] == own) {
        return null;
      }
    }
    StringBuilder out =
        new StringBuilder("line ")
            .append(line)
            .append(" is indented by ")
            .append(spaces(own))
            .append(", the lines above it by ");
    for (int i = 0; i < levels.size(); i++) {
      if (i > 0) {
        out.append(i == levels.size() - 1 ? " or " : ", ");
      }
      out.append(levels.get(i)[0]).append(" (line ").append(levels.get(i)[1]).append(')');
    }
    return out.toString();
  }

  private static String spaces(int n) {
    return n == 1 ? "1 space" : n + " spaces";
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }

  /** Where the line's key begins: after its indentation and any list dashes ({@code - - key}). */
  private static int keyIndent(String line, int start) {
    int p = start;
    while (p + 1 < line.length() && line.charAt(p) == '-' && line.charAt(p + 1) == ' ') {
      p += 2;
      while (p < line.length() && line.charAt(p) == ' ') {
        p++;
      }
    }
    return p;
  }
}
