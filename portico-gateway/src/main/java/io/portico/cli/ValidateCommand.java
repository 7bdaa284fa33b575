package io.portico.cli;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code portico validate -c FILE}: loads and checks a config exactly as {@code run} would, without
 * starting anything, and prints every problem with its place. Exit code 0 when valid, 1 when not.
 */
@Command(name = "validate", description = "Check a config file and report every problem.")
final class ValidateCommand implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      description = "The config file (YAML or JSON). Default: ${DEFAULT-VALUE}.",
      defaultValue = "portico.yaml")
  @SuppressWarnings("NullAway.Init") // set by picocli, from its default when not given
  Path config;

  @Override
  public Integer call() {
    PluginRegistry registry = PluginRegistry.load(ValidateCommand.class.getClassLoader());
    ConfigResult result = ConfigFiles.load(config, System.getenv(), registry);
    GatewayConfig valid = result.config();
    if (valid == null) {
      System.err.print(result.problems().render());
      System.err.println(
          config
              + ": "
              + result.problems().size()
              + " problem"
              + (result.problems().size() == 1 ? "" : "s"));
      return 1;
    }
    System.out.println(
        config
            + ": valid (version "
            + valid.version()
            + ", "
            + valid.routes().size()
            + " routes, "
            + valid.services().size()
            + " services)");
    return 0;
  }
}
