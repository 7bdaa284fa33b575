package io.portico.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, installed for every test JVM through {@code
 * -Dio.netty.customResourceLeakDetector}; it remembers each leak so that {@link LeakCheckExtension}
 * can fail the build instead of only logging.
 */
public final class FailingLeakDetector<T> extends ResourceLeakDetector<T> {

  private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

  public FailingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  @SuppressWarnings("deprecation")
  public FailingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    super.reportTracedLeak(resourceType, records);
    LEAKS.add(resourceType + records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    super.reportUntracedLeak(resourceType);
    LEAKS.add(resourceType);
  }

  /** Leaks reported since the last call; clears the list. */
  static List<String> drain() {
    List<String> out = List.copyOf(LEAKS);
    LEAKS.clear();
    return out;
  }
}
