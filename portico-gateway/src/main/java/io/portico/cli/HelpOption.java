package io.portico.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} on every subcommand, so {@code portico run --help} works as users expect. */
final class HelpOption {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;
}
