package io.portico.cli;

import io.portico.app.Version;
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
    return cli;
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
