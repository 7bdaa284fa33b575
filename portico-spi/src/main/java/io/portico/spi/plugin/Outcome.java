package io.portico.spi.plugin;

import java.util.concurrent.CompletionStage;

/**
 * What a request phase decided: go on ({@link #proceed()}), answer locally ({@link Reply}), or wait
 * for asynchronous work ({@link #await}).
 *
 * <p>{@link #proceed()} is a constant, so the common path allocates nothing.
 */
public sealed interface Outcome permits Outcome.Proceed, Reply, Outcome.Pending {

  /** Continue with the next plugin, then the upstream. */
  static Outcome proceed() {
    return Proceed.INSTANCE;
  }

  /**
   * Suspend the exchange until {@code stage} completes; its result is then handled as if returned
   * directly. The gateway resumes on the exchange's event loop whatever thread completes the stage.
   * A stage that completes exceptionally fails the exchange with 500.
   */
  static Outcome await(CompletionStage<? extends Outcome> stage) {
    return new Pending(stage);
  }

  /** The continue marker. */
  enum Proceed implements Outcome {
    INSTANCE
  }

  /** A suspended phase. */
  record Pending(CompletionStage<? extends Outcome> stage) implements Outcome {}
}
