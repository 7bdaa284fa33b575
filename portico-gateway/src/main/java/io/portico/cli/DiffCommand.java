package io.portico.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin HelpOption help = new HelpOption();

  @Mixin
  @SuppressWarnings("NullAway.Init") // set by picocli
  SyncOptions sync;

  @Spec
  @SuppressWarnings("NullAway.Init") // injected by picocli
  CommandSpec spec;

  @Override
  public Integer call() {
    SyncOptions.Planned planned = sync.plan(spec);
    if (planned == null) {
      return Declarative.FAILED;
    }
    return planned.plan().isEmpty() ? Declarative.SAME : Declarative.CHANGES;
  }
}
