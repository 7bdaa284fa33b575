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
    description = "Portico, an API gateway.",
    subcommands = {
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

  /** Runs the command line and returns the exit code (for tests). */
  public static int execute(String... args) {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
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
