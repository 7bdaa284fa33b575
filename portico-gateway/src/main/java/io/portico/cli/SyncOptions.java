package io.portico.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * What {@code portico diff} and {@code portico apply} share: the declared file, whether the
 * gateway's own file objects may be pruned, the admin API to talk to, and the first two steps of
 * both (validate the file, plan the changes against the running gateway, print the plan).
 */
final class SyncOptions {

  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
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

  /** A printed plan and the session that made it (to apply it with). */
  record Planned(Declarative session, SyncPlan plan) {}

  /**
   * Validates the file, reads the gateway's objects and prints the plan; null when the file is
   * invalid or the gateway could not be read (the reasons are printed).
   */
  @Nullable Planned plan(CommandSpec spec) {
    Declarative d =
        new Declarative(file, admin, spec.commandLine().getOut(), spec.commandLine().getErr());
    if (!d.load()) {
      return null;
    }
    SyncPlan plan = d.plan(pruneFileObjects);
    if (plan == null) {
      return null;
    }
    d.print(plan);
    return new Planned(d, plan);
  }
}
