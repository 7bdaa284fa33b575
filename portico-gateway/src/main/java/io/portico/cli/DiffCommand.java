package io.portico.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portico diff -f FILE}: what {@code apply} would change on a running gateway, through its
 * admin API; changes nothing. Exit code 0 when the gateway already has what the file declares, 2
 * when there are changes (as {@code kubectl diff}), 1 when the file is invalid or the gateway
 * cannot be read.
 */
@Command(
    name = "diff",
    description =
        "Show what apply would create, update and delete on a running gateway. Exit 0: no"
            + " changes, 2: changes, 1: error.")
final class DiffCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "The declared services, routes, consumers and plugins (YAML or JSON).")
  @SuppressWarnings("NullAway.Init") // required: set by picocli
  Path file;

  @Option(
      names = "--prune-file-objects",
      description = "Also delete the gateway's own file objects that the file does not declare.")
  boolean pruneFileObjects;

  @Mixin
  @SuppressWarnings("NullAway.Init") // set by picocli
  AdminOptions admin;

  @Spec
  @SuppressWarnings("NullAway.Init") // injected by picocli
  CommandSpec spec;

  @Override
  public Integer call() {
    Declarative d =
        new Declarative(file, admin, spec.commandLine().getOut(), spec.commandLine().getErr());
    if (!d.load()) {
      return Declarative.FAILED;
    }
    SyncPlan plan = d.plan(pruneFileObjects);
    if (plan == null) {
      return Declarative.FAILED;
    }
    d.print(plan);
    return plan.isEmpty() ? Declarative.SAME : Declarative.CHANGES;
  }
}
