package io.portico.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the gateway's threads allocate: a JFR recording of {@code jdk.ObjectAllocationSample} (with
 * stack traces) around the measured requests of one config, summarised as the heaviest sites.
 *
 * <p>A site is the allocated class, the frame that allocated it and the nearest Portico frame below
 * (what asked for it). Each sample's weight is JFR's estimate of the bytes its thread allocated
 * since the previous sample, so one sample may stand for many sites: read the shares with the
 * sample counts beside them, and run with small TLABs ({@code -XX:TLABSize=2k -XX:-ResizeTLAB}, as
 * {@code bench/alloc.sh --jfr} does) for more samples. The exact totals are {@link
 * AllocationPerRequest}'s. The recording is kept, for {@code jfr print --events
 * jdk.ObjectAllocationSample FILE} or {@code jfr summary FILE}.
 */
final class AllocationSites {

  private AllocationSites() {}

  /** Starts recording allocation samples, with stacks, at a high rate. */
  static Recording start() {
    Recording r = new Recording();
    r.enable("jdk.ObjectAllocationSample").with("throttle", "100000/s").withStackTrace();
    r.start();
    return r;
  }

  /**
   * Stops {@code r}, writes it to {@code file} and prints the top sites of the gateway's threads
   * from {@code from} on. A sample's weight is what its thread allocated since its previous sample,
   * so the recording starts a little before {@code from} and the first samples are left out.
   */
  static void stop(Recording r, Instant from, Path file, int top, PrintStream out)
      throws IOException {
    r.stop();
    r.dump(file);
    r.close();
    Map<String, Long> loop = new HashMap<>();
    Map<String, Long> other = new HashMap<>();
    Map<String, Integer> samples = new HashMap<>();
    long loopTotal = 0;
    long otherTotal = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ObjectAllocationSample")
          || e.getThread("eventThread") == null
          || e.getStartTime().isBefore(from)) {
        continue;
      }
      String thread = e.getThread("eventThread").getJavaName();
      if (thread == null || !thread.startsWith("portico-")) {
        continue;
      }
      long weight = e.getLong("weight");
      String site = site(e);
      samples.merge(site, 1, Integer::sum);
      if (thread.startsWith("portico-io")) {
        loop.merge(site, weight, Long::sum);
        loopTotal += weight;
      } else {
        String key = thread.replaceAll("-?\\d+$", "") + " " + site;
        other.merge(key, weight, Long::sum);
        samples.merge(key, 1, Integer::sum);
        otherTotal += weight;
      }
    }
    out.println("  event loop, share of sampled bytes, samples, site (" + file + "):");
    print(loop, samples, loopTotal, top, out);
    if (otherTotal > 0) {
      out.println("  other gateway threads:");
      print(other, samples, otherTotal, top, out);
    }
  }

  private static String site(RecordedEvent e) {
    String type = e.getClass("objectClass").getName();
    RecordedStackTrace stack = e.getStackTrace();
    if (stack == null || stack.getFrames().isEmpty()) {
      return type;
    }
    List<RecordedFrame> frames = stack.getFrames();
    String first = frame(frames.get(0));
    String portico = null;
    for (RecordedFrame f : frames) {
      if (f.getMethod().getType().getName().startsWith("io.portico.")) {
        portico = frame(f);
        break;
      }
    }
    return type
        + " at "
        + first
        + (portico == null || portico.equals(first) ? "" : " < " + portico);
  }

  private static String frame(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1)
        + "."
        + f.getMethod().getName()
        + ":"
        + f.getLineNumber();
  }

  private static void print(
      Map<String, Long> sites, Map<String, Integer> samples, long total, int top, PrintStream out) {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(sites.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    for (int i = 0; i < Math.min(top, sorted.size()); i++) {
      Map.Entry<String, Long> s = sorted.get(i);
      out.printf(
          Locale.ROOT,
          "    %5.1f %% %6d  %s%n",
          100.0 * s.getValue() / total,
          samples.getOrDefault(s.getKey(), 0),
          s.getKey());
    }
  }
}
