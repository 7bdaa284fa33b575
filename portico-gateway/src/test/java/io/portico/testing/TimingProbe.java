package io.portico.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Tells whether two operations take measurably different time, for tests that credentials are
 * compared in constant time: run with a credential that is right except its last character and one
 * that is wrong in its first, an early-exit comparison makes the first slower.
 *
 * <p>Built to hold on a small, busy machine:
 *
 * <ul>
 *   <li>both operations are warmed up together until the JIT has compiled them;
 *   <li>a measurement is many rounds, each timing one batch of each operation back to back
 *       (alternately a-b and b-a, so a slow drift of the machine favours neither); a batch lasts
 *       tens of microseconds, so few are hit by a preemption;
 *   <li>the result of a measurement is the median of the rounds' time ratios: a round disturbed by
 *       another process is an outlier the median ignores;
 *   <li>the operations are judged the same when one of up to {@link #ATTEMPTS} measurements is
 *       within the tolerance. A real difference shows in every measurement; a burst of noise rarely
 *       lasts through three.
 * </ul>
 *
 * <p>What it can see is bounded by the tolerance, and the noise beneath it: a difference of a few
 * nanoseconds in an operation of microseconds is far below both. The tests that use it check with a
 * deliberately leaky comparison that the tolerance does catch the leak they care about.
 */
public final class TimingProbe {

  /** Measurements made before two operations are judged different. */
  public static final int ATTEMPTS = 3;

  /**
   * The relative difference judged no difference: about twenty times the noise of a measurement on
   * a busy two-core machine, and a fraction of what an early-exit comparison of a long secret costs
   * (see the tests that use it).
   */
  public static final double TOLERANCE = 0.10;

  private static final int ROUNDS = 301;
  private static final long BATCH_NANOS = 25_000;
  private static final int WARM_UP_CALLS = 50_000;
  private static final long MIN_WARM_UP_NANOS = 100_000_000L;
  private static final long MAX_WARM_UP_NANOS = 1_000_000_000L;

  /** Where results go, so the JIT cannot drop the work; cheaper than hashing them. */
  private static final Object[] SINK = new Object[1024];

  private TimingProbe() {}

  /**
   * What was measured.
   *
   * @param tolerance the largest relative difference judged no difference (0.15: 15%)
   * @param ratios the median time ratio a/b of each measurement made
   */
  public record Verdict(double tolerance, List<Double> ratios) {

    /** Whether a measurement found the two operations within the tolerance. */
    public boolean indistinguishable() {
      return ratios.stream().anyMatch(this::within);
    }

    private boolean within(double ratio) {
      return Math.abs(Math.log(ratio)) <= Math.log1p(tolerance);
    }

    @Override
    public String toString() {
      List<String> shown = new ArrayList<>();
      for (double r : ratios) {
        shown.add(String.format(Locale.ROOT, "%.3f", r));
      }
      return "time ratios a/b "
          + shown
          + String.format(Locale.ROOT, " (tolerance ±%.0f%%)", tolerance * 100);
    }
  }

  /** Compares the time of {@code a} and {@code b} with {@link #TOLERANCE}. */
  public static Verdict compare(Supplier<?> a, Supplier<?> b) {
    return compare(a, b, TOLERANCE);
  }

  /** Compares the time of {@code a} and {@code b}; see the class description. */
  public static Verdict compare(Supplier<?> a, Supplier<?> b, double tolerance) {
    warmUp(a, b);
    int batch = batchSize(a, b);
    List<Double> ratios = new ArrayList<>();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ratios.add(measure(a, b, batch));
      Verdict verdict = new Verdict(tolerance, List.copyOf(ratios));
      if (verdict.indistinguishable()) {
        return verdict;
      }
    }
    return new Verdict(tolerance, List.copyOf(ratios));
  }

  /** Runs both for at least {@link #WARM_UP_CALLS} calls and 100 ms, at most a second. */
  private static void warmUp(Supplier<?> a, Supplier<?> b) {
    long start = System.nanoTime();
    int calls = 0;
    long elapsed = 0;
    while ((calls < WARM_UP_CALLS || elapsed < MIN_WARM_UP_NANOS) && elapsed < MAX_WARM_UP_NANOS) {
      run(a, 100);
      run(b, 100);
      calls += 100;
      elapsed = System.nanoTime() - start;
    }
  }

  /** Calls per batch so that a batch of the slower operation lasts about {@link #BATCH_NANOS}. */
  private static int batchSize(Supplier<?> a, Supplier<?> b) {
    long[] samples = new long[21];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = Math.max(run(a, 100), run(b, 100));
    }
    Arrays.sort(samples);
    long perCall = Math.max(1, samples[samples.length / 2] / 100);
    return (int) Math.max(1, Math.min(100_000, BATCH_NANOS / perCall));
  }

  private static double measure(Supplier<?> a, Supplier<?> b, int batch) {
    double[] ratios = new double[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
      long ta;
      long tb;
      if ((r & 1) == 0) {
        ta = run(a, batch);
        tb = run(b, batch);
      } else {
        tb = run(b, batch);
        ta = run(a, batch);
      }
      ratios[r] = (double) ta / Math.max(1, tb);
    }
    Arrays.sort(ratios);
    return ratios[ROUNDS / 2];
  }

  private static long run(Supplier<?> op, int calls) {
    Object[] sink = SINK;
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink[i & (SINK.length - 1)] = op.get();
    }
    return System.nanoTime() - start;
  }
}
