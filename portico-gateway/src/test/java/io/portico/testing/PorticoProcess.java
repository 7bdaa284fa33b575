package io.portico.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code portico} command as a real process: {@code java -cp <the test classpath>
 * io.portico.cli.Main ARGS}, with its output captured as it is written, and signals sent with
 * {@code kill}.
 */
public final class PorticoProcess implements AutoCloseable {

  private final Process process;
  private final long startedNanos;
  private final StringBuffer out = new StringBuffer();
  private final StringBuffer err = new StringBuffer();

  private PorticoProcess(Process process, long startedNanos) {
    this.process = process;
    this.startedNanos = startedNanos;
    pump(process.getInputStream(), out, "stdout");
    pump(process.getErrorStream(), err, "stderr");
  }

  /** Starts {@code portico ARGS} in {@code workDir}. */
  public static PorticoProcess start(Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A quick start matters more than peak speed for a test gateway.
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.portico.cli.Main");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
    long started = System.nanoTime();
    return new PorticoProcess(pb.start(), started);
  }

  private static void pump(InputStream in, StringBuffer into, String name) {
    Thread t =
        new Thread(
            () -> {
              try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                char[] buf = new char[4096];
                int n;
                while ((n = r.read(buf)) >= 0) {
                  into.append(buf, 0, n);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "portico-" + name);
    t.setDaemon(true);
    t.start();
  }

  public long pid() {
    return process.pid();
  }

  /** When the process was started, on {@link System#nanoTime()}'s clock. */
  public long startedNanos() {
    return startedNanos;
  }

  public String stdout() {
    return out.toString();
  }

  public String stderr() {
    return err.toString();
  }

  /** Waits until {@code pattern} appears in standard output; fails with both outputs if not. */
  public MatchResult awaitStdout(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Matcher m = pattern.matcher(out);
      if (m.find()) {
        return m.toMatchResult();
      }
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "no match for "
                + pattern
                + " in the output of portico (alive: "
                + process.isAlive()
                + ")\nstdout:\n"
                + out
                + "\nstderr:\n"
                + err);
      }
      Thread.sleep(20);
    }
  }

  /** Waits for the process to exit and returns its exit code; fails if it does not. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(
          "portico did not exit within " + timeout + "\nstdout:\n" + out + "\nstderr:\n" + err);
    }
    return process.exitValue();
  }

  /** Sends a signal ({@code HUP}, {@code TERM}, ...) to the process. */
  public void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + name + " " + pid() + " failed");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
