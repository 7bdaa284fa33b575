package io.portico.cli;

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
}
