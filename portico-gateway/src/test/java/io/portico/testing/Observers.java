package io.portico.testing;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The gRPC {@link StreamObserver}s that tests hand to {@code ClientCalls}: a step for each message,
 * and the end of the call either ignored or reported through a future. gRPC calls them on its own
 * threads, one at a time per call, so a step that records into a collection the test thread reads
 * must use a thread-safe one.
 */
public final class Observers {

  private Observers() {}

  /** Hands each message to {@code onNext}; the end of the call, normal or not, is ignored. */
  public static <T> StreamObserver<T> each(Consumer<T> onNext) {
    return until(onNext, new CompletableFuture<>());
  }

  /**
   * Hands each message to {@code onNext}, then completes {@code done} when the call completes, or
   * completes it exceptionally with the call's error.
   */
  public static <T> StreamObserver<T> until(Consumer<T> onNext, CompletableFuture<Void> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        onNext.accept(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    };
  }
}
