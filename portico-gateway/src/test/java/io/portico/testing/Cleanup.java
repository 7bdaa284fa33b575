package io.portico.testing;

/** Closing what a test class started, in its {@code @AfterAll}. */
public final class Cleanup {

  private Cleanup() {}

  /**
   * Closes each of {@code resources} in order, passing over those never started ({@code null}), and
   * all of them even when one fails: the first failure is thrown, with the later ones suppressed.
   */
  public static void close(AutoCloseable... resources) throws Exception {
    Exception failure = null;
    for (AutoCloseable r : resources) {
      if (r == null) {
        continue;
      }
      try {
        r.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
