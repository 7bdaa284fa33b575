package io.portico.observe.alert;

/**
 * Delivers a notification somewhere. Called on its {@link Delivery}'s own thread, one notification
 * at a time; may block up to its timeout.
 */
interface Notifier {

  /** Why a delivery failed, and whether trying again may help. */
  final class Failed extends Exception {
    private final boolean retryable;

    Failed(String message, boolean retryable) {
      super(message, null, false, false);
      this.retryable = retryable;
    }

    boolean retryable() {
      return retryable;
    }
  }

  void send(Notification n) throws Failed, InterruptedException;
}
