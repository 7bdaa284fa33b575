package io.portico.cli;

import io.portico.app.Version;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code portico} command. Without a subcommand it runs the gateway on {@code portico.yaml}.
 */
@Command(
    name = "portico",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "Portico, an API gateway. Without a command: run portico.yaml.",
    footer = {
      "",
      "Exit codes: 0 success, 1 invalid config or failure, 2 diff found changes, 3 apply lost a"
          + " race with another write, 64 wrong usage (unknown command or option).",
      "Run 'portico COMMAND --help' for a command's options. See docs/cli.md."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      RunCommand.class,
      ValidateCommand.class,
      VersionCommand.class,
      HashKeyCommand.class,
      HashPasswordCommand.class,
      DiffCommand.class,
      ApplyCommand.class
    })
public final class Main implements java.util.concurrent.Callable<Integer> {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Wrong usage (an unknown command or option, a missing or malformed argument) exits with this
   * code, {@code EX_USAGE} of sysexits.h, so that it never reads as {@code diff}'s 2 (changes).
   */
  public static final int USAGE = 64;

  /** Runs the command line and returns the exit code (for tests). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /** The configured command line, with every subcommand. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExitCodeExceptionMapper(
        e -> e instanceof CommandLine.ParameterException ? USAGE : Declarative.FAILED);
    CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler(
        (e, args) -> {
          String command = unknownCommand(e, cli);
          if (command == null) {
            return usage.handleParseException(e, args);
          }
          e.getCommandLine().getErr().println(unknownCommandMessage(command, e, cli));
          e.getCommandLine().getErr().flush();
          return USAGE;
        });
    return cli;
  }

  /**
   * The word given where a command was expected ({@code portico bogus}), or null when the error is
   * another (an unknown option, a subcommand's bad argument): those print the usage they concern.
   */
  private static @Nullable String unknownCommand(
      CommandLine.ParameterException e, CommandLine top) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u)
        || e.getCommandLine() != top
        || u.getUnmatched().isEmpty()) {
      return null;
    }
    String first = u.getUnmatched().get(0);
    return first.startsWith("-") ? null : first;
  }

  /**
   * What {@code portico bogus} prints instead of the whole usage: the word, the closest commands,
   * the list of commands and where the help is, in two lines.
   */
  static String unknownCommandMessage(
      String command, CommandLine.ParameterException e, CommandLine top) {
    StringBuilder out =
        new StringBuilder("portico: unknown command '").append(command).append('\'');
    List<String> close =
        e instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
    if (!close.isEmpty()) {
      out.append(", did you mean '").append(String.join("' or '", close)).append("'?");
    }
    out.append("\ncommands: ")
        .append(String.join(", ", top.getSubcommands().keySet()))
        .append(" (without a command: run portico.yaml); 'portico --help' explains them");
    return out.toString();
  }

  @Override
  public Integer call() throws Exception {
    return new RunCommand().call();
  }

  /** {@code --version}. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"portico " + Version.current()};
    }
  }
}
