package io.portico.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * The JDK's {@code javap} disassembly of a compiled class, for tests that prove a property of the
 * code itself where a measurement could not (which method compares secrets, and on what).
 */
public final class Bytecode {

  private final String text;

  private Bytecode(String text) {
    this.text = text;
  }

  /**
   * Disassembles classes from the test class path, in one run of {@code javap}: code and local
   * variable names.
   */
  public static Bytecode of(String... classNames) {
    ToolProvider javap =
        ToolProvider.findFirst("javap")
            .orElseThrow(() -> new IllegalStateException("tests need a JDK: no javap"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args =
        new ArrayList<>(List.of("-c", "-p", "-l", "-cp", System.getProperty("java.class.path")));
    args.addAll(List.of(classNames));
    int rc = javap.run(new PrintWriter(out), new PrintWriter(err), args.toArray(new String[0]));
    if (rc != 0) {
      throw new IllegalStateException("javap " + List.of(classNames) + " failed: " + err);
    }
    return new Bytecode(out.toString());
  }

  /** The whole disassembly. */
  public String text() {
    return text;
  }

  /**
   * The disassembly of the methods named {@code name} (from their declaration to the next one),
   * each as its lines.
   */
  public List<List<String>> methods(String name) {
    List<List<String>> out = new ArrayList<>();
    List<String> current = null;
    for (String line : text.split("\n")) {
      boolean declaration = line.startsWith("  ") && !line.startsWith("   ") && line.endsWith(";");
      if (declaration) {
        current = line.contains(" " + name + "(") ? new ArrayList<>() : null;
        if (current != null) {
          out.add(current);
        }
      }
      if (current != null) {
        current.add(line);
      }
    }
    return out;
  }
}
