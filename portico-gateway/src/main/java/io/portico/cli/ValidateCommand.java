package io.portico.cli;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigParser;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.config.NoRoutesWarning;
import io.portico.plugin.PluginRegistry;
import io.portico.snapshot.SnapshotCompiler;
import io.portico.spi.config.Problems;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portico validate [-c FILE | FILE]}: loads and checks a config exactly as {@code run}
 * would, without starting anything, and prints every problem with its place. Exit code 0 when
 * valid, 1 when not; a valid config without routes is valid, with a warning ({@link
 * NoRoutesWarning}).
 */
@Command(
    name = "validate",
    description = "Check a config file and report every problem.",
    footer = {
      "",
      "Each problem is printed as FILE:LINE:COLUMN: PATH: VALUE (expected: RULE).",
      "Exit codes: 0 valid, 1 invalid (every problem printed), 64 wrong usage. See"
          + " docs/cli.md."
    })
final class ValidateCommand implements Callable<Integer> {

  @Mixin ConfigFileOption file = new ConfigFileOption();

  @Mixin HelpOption help = new HelpOption();

  @Spec
  @SuppressWarnings("NullAway.Init") // injected by picocli
  CommandSpec spec;

  @Override
  public Integer call() {
    Path config = file.file(spec);
    String missing = file.missingDefault();
    if (missing != null) {
      System.err.println(missing);
      return 1;
    }
    PluginRegistry registry = PluginRegistry.load(ValidateCommand.class.getClassLoader());
    ConfigResult result = ConfigFiles.load(config, System.getenv(), registry);
    GatewayConfig valid = result.config();
    // Certificates and keys are loaded as run loads them, so validate refuses what run refuses.
    Problems problems = valid == null ? result.problems() : SnapshotCompiler.tlsProblems(valid);
    if (valid == null || !problems.isEmpty()) {
      System.err.print(ConfigParser.renderListed(problems));
      System.err.println(
          config + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s"));
      return 1;
    }
    System.out.println(
        config
            + ": valid (version "
            + valid.version()
            + ", "
            + count(valid.routes().size(), "route")
            + ", "
            + count(valid.services().size(), "service")
            + ")");
    String warning = NoRoutesWarning.of(valid, config);
    if (warning != null) {
      System.err.println(config + ": " + warning);
    }
    return 0;
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
