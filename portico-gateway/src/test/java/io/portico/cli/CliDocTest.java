package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Holds {@code docs/cli.md} to the command line: a section per command with its exact usage line,
 * every option of the command documented there and nothing else, and the exit codes table equal to
 * the codes the commands return. Also checks the behaviours the page promises: {@code --help} on
 * every command, the config file without {@code -c}, and wrong usage exiting 64.
 */
class CliDocTest {

  private static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/cli.md");
  private static final Pattern HEADING = Pattern.compile("(?m)^## portico ([a-z-]+)$");
  private static final Pattern FLAG = Pattern.compile("`(--?[a-zA-Z][a-zA-Z-]*)`");
  private static final Pattern COMMAND_USE =
      Pattern.compile(
          "portico (run|validate|diff|apply|hash-key|hash-password|version)((?:[ \\t]+[^\\s`|)]+)*)");
  private static final Pattern CODE_ROW = Pattern.compile("(?m)^\\| `(\\d+)` \\|");

  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedErr;

  @BeforeEach
  void captureStandardError() {
    savedErr = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(savedErr);
  }

  private static String doc() throws Exception {
    return Files.readString(DOC);
  }

  /** Each {@code ## portico NAME} section of the page, by command name. */
  private static Map<String, String> sections(String doc) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = HEADING.matcher(doc);
    int start = -1;
    String name = null;
    while (m.find()) {
      if (name != null) {
        out.put(name, doc.substring(start, m.start()));
      }
      name = m.group(1);
      start = m.end();
    }
    if (name != null) {
      int end = doc.indexOf("\n## ", start);
      out.put(name, doc.substring(start, end < 0 ? doc.length() : end));
    }
    return out;
  }

  /** The text with every run of white space as one space (help wraps its lines at 80). */
  private static String flat(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }

  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> out = new LinkedHashMap<>(Main.commandLine().getSubcommands());
    out.remove("help");
    return out;
  }

  @Test
  void everyCommandHasASectionWithItsExactUsageLineAndNoOtherSectionExists() throws Exception {
    String doc = doc();
    Map<String, String> sections = sections(doc);

    assertThat(sections.keySet()).containsExactlyInAnyOrderElementsOf(commands().keySet());
    for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
      String synopsis = flat(c.getValue().getHelp().synopsis(0));
      assertThat(flat(sections.get(c.getKey())))
          .as("docs/cli.md, section portico %s, holds the usage line", c.getKey())
          .contains(synopsis);
    }
    assertThat(flat(doc)).contains(flat(Main.commandLine().getHelp().synopsis(0)));
  }

  @Test
  void everyOptionIsDocumentedInItsCommandsSectionAndEveryDocumentedFlagExists() throws Exception {
    Map<String, String> sections = sections(doc());

    for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
      String section = sections.get(c.getKey());
      Set<String> names = new TreeSet<>(Set.of("-h", "--help"));
      for (OptionSpec o : c.getValue().getCommandSpec().options()) {
        names.addAll(Set.of(o.names()));
        if (o.usageHelp()) {
          continue; // -h, --help: said once for every command at the top of the page
        }
        for (String n : o.names()) {
          assertThat(section).as("portico %s documents %s", c.getKey(), n).contains("`" + n + "`");
        }
      }
      for (PositionalParamSpec p : c.getValue().getCommandSpec().positionalParameters()) {
        assertThat(section)
            .as("portico %s documents its %s argument", c.getKey(), p.paramLabel())
            .contains("| `" + p.paramLabel() + "` |");
      }
      Matcher flag = FLAG.matcher(section.replaceAll("(?s)```.*?```", ""));
      while (flag.find()) {
        assertThat(names)
            .as("portico %s documents %s: an option of the command", c.getKey(), flag.group(1))
            .contains(flag.group(1));
      }
    }
  }

  @Test
  void everyFlagGivenToAPorticoCommandInTheReadmeAndDocsIsAnOptionOfThatCommand() throws Exception {
    List<Path> pages = new ArrayList<>(List.of(DOC.getParent().getParent().resolve("README.md")));
    try (Stream<Path> docs = Files.walk(DOC.getParent())) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    Map<String, CommandLine> commands = commands();
    int seen = 0;
    List<String> wrong = new ArrayList<>();
    for (Path page : pages) {
      Matcher use = COMMAND_USE.matcher(Files.readString(page));
      while (use.find()) {
        CommandLine command = commands.get(use.group(1));
        Matcher flag = Pattern.compile("(?<=\\s)(--?[a-zA-Z][\\w-]*)").matcher(use.group(2));
        while (flag.find()) {
          seen++;
          if (command.getCommandSpec().findOption(flag.group(1)) == null) {
            wrong.add(page.getFileName() + ": portico " + use.group(1) + " " + flag.group(1));
          }
        }
      }
    }
    assertThat(seen).as("flags given to commands in the docs").isGreaterThan(10);
    assertThat(wrong).as("flags that the command does not have").isEmpty();
  }

  @Test
  void theExitCodesTableListsExactlyTheCodesTheCommandsReturn() throws Exception {
    String codes = doc().substring(doc().indexOf("## Exit codes"));
    Set<Integer> documented = new TreeSet<>();
    Matcher row = CODE_ROW.matcher(codes);
    while (row.find()) {
      documented.add(Integer.parseInt(row.group(1)));
    }

    assertThat(documented)
        .containsExactly(
            Declarative.SAME,
            Declarative.FAILED,
            Declarative.CHANGES,
            Declarative.CONFLICT,
            Main.USAGE);
    StringWriter help = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(help));
    assertThat(cli.execute("--help")).isZero();
    for (int code : documented) {
      assertThat(flat(help.toString()) + " ")
          .as("portico --help names exit code %s", code)
          .contains(" " + code + " ");
    }
  }

  @Test
  void everyCommandAnswersHelpWithItsUsage() {
    for (String name : commands().keySet()) {
      StringWriter out = new StringWriter();
      CommandLine cli = Main.commandLine();
      cli.setOut(new PrintWriter(out));

      assertThat(cli.execute(name, "--help")).as("portico %s --help", name).isZero();
      assertThat(out.toString()).startsWith("Usage: portico " + name);
    }
  }

  @Test
  void wrongUsageExits64SoThatItNeverReadsAsDiffsChanges() {
    assertThat(Main.execute("diff", "--fiel", "declared.yaml")).isEqualTo(Main.USAGE);
    assertThat(Main.execute("diff")).isEqualTo(Main.USAGE);
    assertThat(Main.execute("apply", "-f", "declared.yaml", "--prune")).isEqualTo(Main.USAGE);
    assertThat(Main.execute("valdate")).isEqualTo(Main.USAGE);
    assertThat(Main.execute("validate", "--conifg", "portico.yaml")).isEqualTo(Main.USAGE);
    assertThat(Main.execute("hash-password", "--cost", "ten")).isEqualTo(Main.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("Missing required option: '--file=FILE'")
        .contains("Unknown option: '--prune'")
        .contains("portico: unknown command 'valdate', did you mean 'validate'?")
        .contains("Possible solutions: --config");
  }

  @Test
  void anUnknownCommandIsNamedInTwoLinesWithTheCommandsAndNotTheWholeUsage() throws Exception {
    assertThat(Main.execute("bogus")).isEqualTo(Main.USAGE);

    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(said.strip().lines())
        .containsExactly(
            "portico: unknown command 'bogus'",
            "commands: "
                + String.join(", ", Main.commandLine().getSubcommands().keySet())
                + " (without a command: run portico.yaml); 'portico --help' explains them");
    assertThat(flat(doc()))
        .contains(flat(said.replace("'bogus'", "'valdate', did you mean 'validate'?")));
  }

  @Test
  void anOptionBeforeAnyCommandSaysWhereACommandsOptionsGo() throws Exception {
    assertThat(Main.execute("--conifg", "my.yaml")).isEqualTo(Main.USAGE);

    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(said.strip().lines())
        .hasSize(2)
        .first()
        .isEqualTo(
            "portico: unknown option '--conifg' (a command's options go after the command, such"
                + " as portico run --config FILE)");
    assertThat(flat(doc())).contains(flat(said.strip().lines().findFirst().orElseThrow()));
  }

  @Test
  void anAddressOptionSaysTheAddressesAreInTheConfigFile() throws Exception {
    assertThat(Main.execute("run", "--port", "8080")).isEqualTo(Main.USAGE);
    assertThat(Main.execute("--listen=:8080")).isEqualTo(Main.USAGE);

    String said = err.toString(StandardCharsets.UTF_8);
    String note =
        "portico: the addresses to listen on are set in the config file, not on the command line:"
            + " listeners[].address (such as 127.0.0.1:8080), and admin.address for the admin API"
            + " (docs/configuration.md)";
    assertThat(said).contains("Unknown option: '--port'");
    assertThat(said.lines().filter(note::equals)).hasSize(2);
    assertThat(flat(doc())).contains(flat(note));
  }

  @Test
  void validateTakesTheFileWithOrWithoutDashC() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, "routes:\n  - name: r\n    paths: [ /a ]\n    plugins: { mock: {} }\n");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "routes:\n  - name: r\n    pahts: [ /a ]\n");

    assertThat(Main.execute("validate", good.toString())).isZero();
    assertThat(Main.execute("validate", "-c", good.toString())).isZero();
    assertThat(Main.execute("validate", "-c", good.toString(), good.toString())).isZero();
    assertThat(Main.execute("validate", bad.toString())).isEqualTo(1);
    assertThat(Main.execute("validate", "-c", good.toString(), bad.toString()))
        .isEqualTo(Main.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(bad + ":3:5: routes[0].pahts: unknown key \"pahts\"")
        .contains("did you mean \"paths\"?")
        .contains("two config files given, " + good + " (-c) and " + bad);
  }

  @Test
  void aMissingRelativeFileIsNamedWithThePathItWasLookedForAt() {
    assertThat(Main.execute("validate", "no-such-portico.yaml")).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "no-such-portico.yaml: no such file (expected: a readable YAML or JSON file; looked"
                + " for "
                + Path.of("no-such-portico.yaml").toAbsolutePath());
  }
}
