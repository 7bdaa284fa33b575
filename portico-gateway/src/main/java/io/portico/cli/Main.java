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
            int code = usage.handleParseException(e, args);
            String note = addressOptionNote(e);
            if (note != null) {
              e.getCommandLine().getErr().println(note);
              e.getCommandLine().getErr().flush();
            }
            return code;
          }
          String note = addressOptionNote(e);
          if (note != null) {
            e.getCommandLine().getErr().println(note);
          }
          e.getCommandLine().getErr().println(unknownCommandMessage(command, e, cli));
          e.getCommandLine().getErr().flush();
          return USAGE;
        });
    return cli;
  }

  /**
   * The word given where a command was expected ({@code portico bogus}, or an option of a command
   * before any command, {@code portico --config x}), or null when the error is another (a
   * subcommand's unknown option or bad argument): those print the usage they concern.
   */
  private static @Nullable String unknownCommand(
      CommandLine.ParameterException e, CommandLine top) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u)
        || e.getCommandLine() != top
        || u.getUnmatched().isEmpty()) {
      return null;
    }
    return u.getUnmatched().get(0);
  }

  /**
   * For an unknown option that gives an address or a port ({@code --port 8080}, {@code --listen},
   * as other gateways and servers take them), where Portico takes it instead; null for any other
   * error.
   */
  static @Nullable String addressOptionNote(CommandLine.ParameterException e) {
    if (!(e instanceof CommandLine.UnmatchedArgumentException u)) {
      return null;
    }
    for (String word : u.getUnmatched()) {
      String option = word.replaceFirst("=.*", "").toLowerCase(java.util.Locale.ROOT);
      if (option.startsWith("-")
          && (option.contains("port")
              || option.contains("listen")
              || option.contains("addr")
              || option.contains("bind")
              || option.contains("host"))) {
        return "portico: the addresses to listen on are set in the config file, not on the command"
            + " line: listeners[].address (such as 127.0.0.1:8080), and admin.address for the"
            + " admin API (docs/configuration.md)";
      }
    }
    return null;
  }

  /**
   * What {@code portico bogus} prints instead of the whole usage: the word, the closest commands,
   * the list of commands and where the help is, in two lines; for an option before any command,
   * where a command's options go.
   */
  static String unknownCommandMessage(
      String command, CommandLine.ParameterException e, CommandLine top) {
    if (command.startsWith("-")) {
      return "portico: unknown option '"
          + command
          + "' (a command's options go after the command, such as portico run --config FILE)"
          + commandsLine(top);
    }
    StringBuilder out =
        new StringBuilder("portico: unknown command '").append(command).append('\'');
    List<String> close =
        e instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
    if (!close.isEmpty()) {
      out.append(", did you mean '").append(String.join("' or '", close)).append("'?");
    }
    return out.append(commandsLine(top)).toString();
  }

  private static String commandsLine(CommandLine top) {
    return "\ncommands: "
        + String.join(", ", top.getSubcommands().keySet())
        + " (without a command: run portico.yaml); 'portico --help' explains them";
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
