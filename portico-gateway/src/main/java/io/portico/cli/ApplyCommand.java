package io.portico.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code portico apply -f FILE}: makes a running gateway's services, routes, consumers and global
 * plugins what the file declares (see {@link SyncPlan} for the rule), in one admin request that
 * applies all or nothing, guarded by the config version read just before. Exit code 0 when applied
 * (or nothing to do), 1 when the file is invalid (nothing is sent) or the gateway refused, 3 when
 * the gateway's config changed between the read and the write (412: nothing applied; run diff
 * again).
 */
@Command(
    name = "apply",
    description =
        "Make a running gateway's services, routes, consumers and plugins what the file"
            + " declares, in one all-or-nothing admin request. Exit 0: applied or nothing to do,"
            + " 3: the gateway's config changed since it was read (nothing applied), 1: error.")
final class ApplyCommand implements Callable<Integer> {

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
    if (planned.plan().isEmpty()) {
      return 0;
    }
    return planned.session().apply(planned.plan()).exitCode();
  }
}
