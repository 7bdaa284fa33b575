package io.portico.app;

/**
 * The clean-up after a start that failed: each step runs even when one before it failed, and what a
 * step throws is added to the start's failure as suppressed, so the caller still sees why the start
 * failed (a port in use) and not a symptom of the clean-up (a task refused by a loop that is
 * already shutting down). Used on the starting thread only.
 */
final class StartFailure {

  /** One step of the clean-up. */
  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }

  private final Throwable failure;

  StartFailure(Throwable failure) {
    this.failure = failure;
  }

  /** Runs {@code step}; what it throws is added to the failure. */
  void run(Step step) {
    try {
      step.run();
    } catch (Throwable t) {
      if (t != failure) {
        failure.addSuppressed(t);
      }
    }
  }
}
