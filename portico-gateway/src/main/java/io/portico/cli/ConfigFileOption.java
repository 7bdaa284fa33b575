package io.portico.cli;

import io.portico.config.NearbyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The config file of {@code run} and {@code validate}: {@code -c FILE}, {@code --config FILE}, or
 * FILE alone ({@code portico validate my.yaml}); {@code portico.yaml} when none is given.
 */
final class ConfigFileOption {

  static final Path DEFAULT = Path.of("portico.yaml");

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The config file (YAML or JSON). Default: portico.yaml.")
  @Nullable Path option;

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The config file, as an alternative to -c.")
  @Nullable Path positional;

  /** The file to load; a usage error when it is given twice with two different names. */
  Path file(@Nullable CommandSpec spec) {
    Path given = option;
    if (given != null && positional != null && !given.equals(positional)) {
      String message =
          "two config files given, "
              + given
              + " (-c) and "
              + positional
              + " (expected: one, as -c FILE or FILE)";
      if (spec == null) {
        throw new IllegalArgumentException(message);
      }
      throw new CommandLine.ParameterException(spec.commandLine(), message);
    }
    if (given != null) {
      return given;
    }
    return positional != null ? positional : DEFAULT;
  }

  /**
   * When no file was given and there is no {@code portico.yaml} in the working directory (a first
   * {@code portico} in the wrong folder): what to do instead, as one line naming the folder looked
   * in; null otherwise, and the file is loaded (and its problems reported) as usual.
   */
  @Nullable String missingDefault() {
    if (option != null || positional != null || Files.exists(DEFAULT)) {
      return null;
    }
    return DEFAULT
        + ": no config file given, and none in "
        + Path.of("").toAbsolutePath()
        + " (expected: a config file, as 'portico run -c FILE' or 'portico validate FILE', or a"
        + " portico.yaml in the current directory; the repository's portico.yaml and"
        + " examples/*.yaml are configs to start from; 'portico --help' lists the commands"
        + NearbyFile.hint(DEFAULT)
        + ")";
  }
}
