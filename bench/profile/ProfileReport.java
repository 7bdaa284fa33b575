import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The allocation and CPU report of bench/profile.sh for one Portico window, as text.
 *
 * <pre>
 *   java ProfileReport.java --thread portico-io --series SERIES --stats REC.jfr
 *        [--alloc ALLOC.jfr] [--cpu CPU.jfr]
 * </pre>
 *
 * <p>SERIES holds lines {@code <epoch seconds before> <after> <origin requests served>} (the
 * counter read between the two times), sampled during the recording; the requests between two JFR
 * timestamps are interpolated from it. Bytes per request are exact: jdk.ThreadAllocationStatistics
 * in REC (the thread's allocation counter, read once a second). The split into classes, sites and
 * stacks comes from the allocation samples in ALLOC (async-profiler's
 * jdk.ObjectAllocationInNewTLAB/OutsideTLAB, or the JDK's jdk.ObjectAllocationSample; each sample
 * weighs the bytes it stands for), scaled to the exact total. CPU holds jdk.ExecutionSample events:
 * async-profiler's include native and kernel frames, the JDK's only Java code. ALLOC and CPU
 * default to REC.
 */
public class ProfileReport {

  static final int TOP = 40;
  static final int STACKS_PER_SITE = 2;
  static final int MAX_FRAMES = 30;

  /** One sampled allocation or CPU sample: frames innermost first, as "pkg.Class.method:line". */
  record Sample(String objectClass, List<String> frames, double weight) {}

  public static void main(String[] args) throws IOException {
    String threadPrefix = "portico-io";
    Path series = null;
    Path stats = null;
    Path alloc = null;
    Path cpu = null;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--thread" -> threadPrefix = args[i + 1];
        case "--series" -> series = Path.of(args[i + 1]);
        case "--stats" -> stats = Path.of(args[i + 1]);
        case "--alloc" -> alloc = Path.of(args[i + 1]);
        case "--cpu" -> cpu = Path.of(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (stats == null || series == null) {
      System.err.println(
          "usage: ProfileReport --thread PREFIX --series FILE --stats REC [--alloc F] [--cpu F]");
      System.exit(2);
    }
    ProfileReport r = new ProfileReport(threadPrefix);
    r.read(stats, r::collectStats);
    r.read(alloc == null ? stats : alloc, r::collectAlloc);
    r.read(cpu == null ? stats : cpu, r::collectCpu);
    r.run(series);
  }

  private final String threadPrefix;
  // thread name -> (time, allocated bytes) in recording order
  private final Map<String, List<Object[]>> allocated = new LinkedHashMap<>();
  private final List<Sample> allocSamples = new ArrayList<>();
  private final List<Sample> cpuSamples = new ArrayList<>();
  private final List<Instant> gcs = new ArrayList<>();

  ProfileReport(String threadPrefix) {
    this.threadPrefix = threadPrefix;
  }

  void read(Path recording, java.util.function.Consumer<RecordedEvent> collector)
      throws IOException {
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        collector.accept(file.readEvent());
      }
    }
  }

  void run(Path series) throws IOException {
    String loop =
        allocated.keySet().stream()
            .filter(n -> n.startsWith(threadPrefix))
            .findFirst()
            .orElse(null);
    if (loop == null) {
      System.out.println("no allocation statistics for a thread named " + threadPrefix + "*");
      return;
    }
    List<Object[]> loopStats = allocated.get(loop);
    Instant from = (Instant) loopStats.get(0)[0];
    Instant to = (Instant) loopStats.get(loopStats.size() - 1)[0];
    double requests = requestsBetween(Files.readAllLines(series), from, to);
    long loopBytes = (long) loopStats.get(loopStats.size() - 1)[1] - (long) loopStats.get(0)[1];
    long jvmBytes = 0;
    for (List<Object[]> s : allocated.values()) {
      // A thread first seen after `from` allocated all it has in the window.
      long first = s.get(0)[0].equals(from) ? (long) s.get(0)[1] : 0;
      jvmBytes += (long) s.get(s.size() - 1)[1] - first;
    }
    long gcCount = gcs.stream().filter(t -> !t.isBefore(from) && !t.isAfter(to)).count();
    double seconds = (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
    double perRequest = loopBytes / requests;

    System.out.printf("# Bytes per request (%s, %.1f s, %.0f requests)%n", loop, seconds, requests);
    System.out.printf("event-loop thread  %10.1f B/request%n", perRequest);
    System.out.printf("whole JVM          %10.1f B/request%n", jvmBytes / requests);
    System.out.printf(
        "young GCs          %10d in the window (%.1f per minute)%n%n",
        gcCount, gcCount * 60 / seconds);

    report(allocSamples.stream().filter(s -> s.weight > 0).toList(), perRequest);
    reportCpu();
  }

  private void collectStats(RecordedEvent e) {
    switch (e.getEventType().getName()) {
      case "jdk.ThreadAllocationStatistics" -> {
        RecordedThread t = e.getThread("thread");
        if (t != null && t.getJavaName() != null) {
          allocated
              .computeIfAbsent(t.getJavaName(), k -> new ArrayList<>())
              .add(new Object[] {e.getStartTime(), e.getLong("allocated")});
        }
      }
      case "jdk.GarbageCollection" -> gcs.add(e.getStartTime());
      default -> {}
    }
  }

  /** An allocation sample and the bytes it stands for. */
  private void collectAlloc(RecordedEvent e) {
    long weight =
        switch (e.getEventType().getName()) {
          case "jdk.ObjectAllocationSample" -> e.getLong("weight");
            // async-profiler: a sample in a new TLAB weighs the sampling interval (its tlabSize)
          case "jdk.ObjectAllocationInNewTLAB" -> e.getLong("tlabSize");
          case "jdk.ObjectAllocationOutsideTLAB" -> e.getLong("allocationSize");
          default -> -1;
        };
    if (weight >= 0 && onLoop(e.getThread("eventThread"))) {
      allocSamples.add(
          new Sample(e.getClass("objectClass").getName(), frames(e.getStackTrace()), weight));
    }
  }

  private void collectCpu(RecordedEvent e) {
    if (e.getEventType().getName().equals("jdk.ExecutionSample")
        && onLoop(e.getThread("sampledThread"))) {
      cpuSamples.add(new Sample(null, frames(e.getStackTrace()), 1));
    }
  }

  private boolean onLoop(RecordedThread t) {
    return t != null && t.getJavaName() != null && t.getJavaName().startsWith(threadPrefix);
  }

  private static List<String> frames(RecordedStackTrace st) {
    List<String> out = new ArrayList<>();
    if (st == null) {
      return out;
    }
    for (RecordedFrame f : st.getFrames()) {
      String type = f.getMethod().getType() == null ? "" : f.getMethod().getType().getName();
      String name = type.isEmpty() ? f.getMethod().getName() : type + "." + f.getMethod().getName();
      String kind = f.getType() == null ? "" : f.getType();
      if (kind.equals("Native") || kind.equals("C++") || kind.equals("Kernel")) {
        // Native or kernel code (async-profiler only): "libc.so.6.writev [Native]"
        out.add(name + " [" + kind + "]");
      } else {
        out.add(name + ":" + f.getLineNumber());
      }
    }
    return out;
  }

  /** Requests served between two instants, interpolated from the sampled counter. */
  static double requestsBetween(List<String> lines, Instant from, Instant to) {
    List<double[]> points = new ArrayList<>();
    for (String line : lines) {
      String[] p = line.trim().split("\\s+");
      if (p.length == 3) {
        double time = (Double.parseDouble(p[0]) + Double.parseDouble(p[1])) / 2;
        points.add(new double[] {time, Double.parseDouble(p[2])});
      }
    }
    return at(points, seconds(to)) - at(points, seconds(from));
  }

  private static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  private static double at(List<double[]> points, double t) {
    for (int i = 1; i < points.size(); i++) {
      double[] a = points.get(i - 1);
      double[] b = points.get(i);
      if (t <= b[0] || i == points.size() - 1) {
        // Linear between the two samples around t (extrapolated at the ends).
        return a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
      }
    }
    throw new IllegalStateException("fewer than two counter samples");
  }

  // ---------------------------------------------------------------- the tables

  private void report(List<Sample> samples, double perRequest) {
    double total = samples.stream().mapToDouble(Sample::weight).sum();
    System.out.printf(
        "# Allocation on the event loop: %d samples; B/req = share x %.1f%n%n",
        samples.size(), perRequest);
    if (samples.isEmpty()) {
      return;
    }
    Function<Double, Double> perReq = w -> w / total * perRequest;

    System.out.println("## By class");
    table(group(samples, s -> s.objectClass), perReq, total);

    System.out.println(
        "## By who asked: the innermost Portico method or Netty codec call on the stack");
    table(group(samples, ProfileReport::ownerOf), perReq, total);

    System.out.println(
        "## By site: the innermost frame outside java.*/jdk.*/sun.*, the class, and who asked");
    table(group(samples, ProfileReport::siteKey), perReq, total);

    System.out.println("## Stacks of the top sites (innermost first; cut at the event loop)");
    Map<String, List<Sample>> bySite = group(samples, ProfileReport::siteKey);
    int n = 0;
    for (Map.Entry<String, List<Sample>> site : bySite.entrySet()) {
      if (n++ == TOP) {
        break;
      }
      double w = weight(site.getValue());
      System.out.printf("%n[%d] %.1f B/req  %s%n", n, perReq.apply(w), site.getKey());
      Map<String, List<Sample>> stacks = group(site.getValue(), s -> String.join("\n", cut(s)));
      int k = 0;
      for (Map.Entry<String, List<Sample>> stack : stacks.entrySet()) {
        if (k++ == STACKS_PER_SITE) {
          break;
        }
        System.out.printf(
            "  stack %d (%.0f%% of the site):%n", k, 100 * weight(stack.getValue()) / w);
        for (String f : stack.getKey().split("\n")) {
          System.out.println("      " + f);
        }
      }
    }
    System.out.println();
  }

  private void reportCpu() {
    System.out.printf(
        "# CPU samples of the event loop (%d samples; JDK samples hold Java code only,"
            + " async-profiler's also native and kernel code)%n%n",
        cpuSamples.size());
    if (cpuSamples.isEmpty()) {
      return;
    }
    double total = cpuSamples.size();
    Function<Double, Double> pct = w -> 100 * w / total;
    Function<Double, Double> count = w -> w;
    System.out.println("## Where the top frame is: samples, % of samples");
    table(group(cpuSamples, ProfileReport::kindOf), count, total);
    System.out.println("## By layer (self time): samples, % of samples");
    table(group(cpuSamples, ProfileReport::layerOf), count, total);
    System.out.println(
        "## Inside Netty's HTTP codec (inclusive, kernel time of its writes excluded):"
            + " samples, % of samples");
    table(
        group(cpuSamples.stream().filter(s -> codecOf(s) != null).toList(), ProfileReport::codecOf),
        count,
        total);
    System.out.println("## Self (top frame): samples, % of samples");
    table(
        group(cpuSamples, s -> s.frames.isEmpty() ? "?" : stripLine(s.frames.get(0))),
        count,
        total);
    System.out.println(
        "## Self, Java code only (user time spent in Java): samples, % of all samples");
    table(
        group(
            cpuSamples.stream().filter(s -> kindOf(s).equals("Java")).toList(),
            s -> stripLine(s.frames.get(0))),
        count,
        total);
    System.out.println(
        "## Inclusive, Portico methods (io.portico.*): % of all samples, % of samples in Java");
    Map<String, double[]> incl = new HashMap<>();
    for (Sample s : cpuSamples) {
      boolean java = kindOf(s).equals("Java");
      s.frames.stream()
          .filter(f -> f.startsWith("io.portico."))
          .map(ProfileReport::stripLine)
          .distinct()
          .forEach(
              f -> {
                double[] c = incl.computeIfAbsent(f, k -> new double[2]);
                c[0]++;
                c[1] += java ? 1 : 0;
              });
    }
    incl.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[0]))
        .limit(TOP)
        .forEach(
            e ->
                System.out.printf(
                    "%8.1f %8.1f  %s%n",
                    pct.apply(e.getValue()[0]), pct.apply(e.getValue()[1]), e.getKey()));
    System.out.println();
  }

  /**
   * What a CPU sample was doing: kernel work under a system call (named by the libc function that
   * made it) or elsewhere (page faults, interrupts), or Java code by the package of its top frame
   * (JDK frames count for their caller).
   */
  static String layerOf(Sample s) {
    if (kindOf(s).equals("kernel")) {
      for (String f : s.frames) {
        if (!f.endsWith("[Kernel]")) {
          return f.startsWith("libc.so.6.")
              ? "kernel: " + f.substring("libc.so.6.".length()).replace(" [Native]", "")
              : "kernel: other (page faults, interrupts)";
        }
      }
      return "kernel: other (page faults, interrupts)";
    }
    if (!kindOf(s).equals("Java")) {
      return "native (libc, JVM)";
    }
    for (String f : s.frames) {
      if (isJdk(f)) {
        continue;
      }
      if (f.startsWith("io.portico.")) {
        return "Portico";
      }
      if (f.startsWith("io.netty.handler.codec.")) {
        return "Netty HTTP codec and header maps";
      }
      if (f.startsWith("io.netty.buffer.")) {
        return "Netty buffers";
      }
      if (f.startsWith("io.netty.channel.epoll.") || f.startsWith("io.netty.channel.unix.")) {
        return "Netty transport (epoll, sockets)";
      }
      if (f.startsWith("io.netty.")) {
        return "Netty pipeline, event loop, utilities";
      }
      return "other Java";
    }
    return "JDK";
  }

  /** The innermost HTTP decode or encode call on a CPU sample's stack, with its connection. */
  static String codecOf(Sample s) {
    for (int i = 0; i < s.frames.size(); i++) {
      String f = s.frames.get(i);
      if (f.startsWith("io.netty.handler.codec.http.HttpObjectDecoder.decode:")) {
        return "decode" + codecSide(s.frames.subList(i, Math.min(i + 5, s.frames.size())));
      }
      if (f.startsWith("io.netty.handler.codec.http.HttpObjectEncoder.encode:")) {
        return "encode" + codecSide(s.frames.subList(i, Math.min(i + 5, s.frames.size())));
      }
    }
    return null;
  }

  /** Kernel, native (libc, the JVM) or Java: where a CPU sample's top frame is. */
  static String kindOf(Sample s) {
    if (s.frames.isEmpty()) {
      return "?";
    }
    String top = s.frames.get(0);
    if (top.endsWith("[Kernel]")) {
      return "kernel";
    }
    return top.endsWith("[Native]") || top.endsWith("[C++]") ? "native (libc, JVM)" : "Java";
  }

  private static void table(
      Map<String, List<Sample>> groups, Function<Double, Double> value, double total) {
    int n = 0;
    for (Map.Entry<String, List<Sample>> g : groups.entrySet()) {
      if (n++ == TOP) {
        System.out.printf("%8s  (%d more)%n", "...", groups.size() - TOP);
        break;
      }
      double w = weight(g.getValue());
      System.out.printf("%8.1f %5.1f%%  %s%n", value.apply(w), 100 * w / total, g.getKey());
    }
    System.out.println();
  }

  /** Samples grouped by key, heaviest group first. */
  private static Map<String, List<Sample>> group(
      List<Sample> samples, Function<Sample, String> key) {
    Map<String, List<Sample>> m = new HashMap<>();
    for (Sample s : samples) {
      m.computeIfAbsent(key.apply(s), k -> new ArrayList<>()).add(s);
    }
    Map<String, List<Sample>> sorted = new LinkedHashMap<>();
    m.entrySet().stream()
        .sorted(
            Comparator.comparingDouble(
                (Map.Entry<String, List<Sample>> e) -> -weight(e.getValue())))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static double weight(List<Sample> samples) {
    return samples.stream().mapToDouble(Sample::weight).sum();
  }

  private static boolean isJdk(String frame) {
    return frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("sun.");
  }

  static String siteOf(Sample s) {
    return s.frames.stream().filter(f -> !isJdk(f)).findFirst().orElse("(JDK only)");
  }

  static String siteKey(Sample s) {
    String site = siteOf(s);
    String owner = ownerOf(s);
    return site + "  " + s.objectClass + (site.startsWith(owner + ":") ? "" : "  <- " + owner);
  }

  /**
   * Who caused an allocation: the innermost Portico frame, or the innermost Netty codec call
   * (decode or encode, with the side: HttpServerCodec faces clients, HttpClientCodec the upstream).
   */
  static String ownerOf(Sample s) {
    for (int i = 0; i < s.frames.size(); i++) {
      String f = s.frames.get(i);
      if (f.startsWith("io.portico.")) {
        return stripLine(f);
      }
      if (f.startsWith("io.netty.") && (f.contains(".decode:") || f.contains(".encode:"))) {
        return stripLine(f) + codecSide(s.frames.subList(0, Math.min(i + 5, s.frames.size())));
      }
    }
    return s.frames.isEmpty() ? "?" : stripLine(s.frames.get(s.frames.size() - 1));
  }

  /** Which connection a codec frame (among the last of {@code frames}) works for. */
  private static String codecSide(List<String> frames) {
    for (String f : frames) {
      if (f.contains("HttpClientCodec")
          || f.contains("HttpResponseDecoder")
          || f.contains("HttpRequestEncoder")) {
        return " (upstream connection)";
      }
      if (f.contains("HttpServerCodec")
          || f.contains("HttpRequestDecoder")
          || f.contains("HttpResponseEncoder")) {
        return " (client connection)";
      }
    }
    return "";
  }

  /** "pkg.Class.method:123" without ":123". */
  private static String stripLine(String frame) {
    int colon = frame.lastIndexOf(':');
    return colon > 0 && frame.substring(colon + 1).chars().allMatch(Character::isDigit)
        ? frame.substring(0, colon)
        : frame;
  }

  /** The frames of a sample down to the event loop's read or task entry. */
  private static List<String> cut(Sample s) {
    List<String> out = new ArrayList<>();
    for (String f : s.frames) {
      out.add(f);
      if (out.size() == MAX_FRAMES
          || f.contains("EpollStreamUnsafe.epollInReady")
          || f.contains("AbstractEventExecutor.runTask")
          || f.contains("SingleThreadEventExecutor.runAllTasks")) {
        break;
      }
    }
    return out;
  }
}
