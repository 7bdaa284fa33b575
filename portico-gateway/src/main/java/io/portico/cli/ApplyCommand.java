package io.portico.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code portico apply -f FILE}: makes a running gateway's services, routes, consumers and global
 * plugins what the file declares (see {@link SyncPlan} for the rule), in one admin request that
 * applies all or nothing, guarded by the config version read just before. Exit code 0 when applied
 * (or nothing to do), 1 when the file is invalid (nothing is sent) or the gateway refused.
 */
@Command(
    name = "apply",
    description =
        "Make a running gateway's services, routes, consumers and plugins what the file"
            + " declares, in one all-or-nothing admin request.")
final class ApplyCommand implements Callable<Integer> {

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
    if (plan.isEmpty()) {
      return 0;
    }
    return d.apply(plan) ? 0 : Declarative.FAILED;
  }
}
