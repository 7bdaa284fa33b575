package io.portico.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Holds {@code docs/templates.md} to the catalogue: every variable is documented with its syntax.
 */
class TemplateDocTest {

  @Test
  void documentsEveryVariable() throws Exception {
    String doc =
        Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/templates.md"));
    for (Variable variable : Variable.values()) {
      String written = "`" + variable.written() + "`";
      assertThat(doc).as("docs/templates.md documents " + written).contains(written + " |");
    }
  }
}
