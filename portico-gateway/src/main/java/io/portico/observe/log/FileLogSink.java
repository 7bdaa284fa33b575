package io.portico.observe.log;

import io.portico.config.AccessLogConfig.FileSink;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Lines appended to a file, flushed after each batch, with optional rotation.
 *
 * <p>Rotation happens before a line that would take the file past {@code max-size}, and when the
 * file is older than {@code interval} (checked with each batch and while idle; an empty file is
 * never rotated). The file is renamed to {@code <name>.<UTC time yyyyMMdd-HHmmss-SSS>}, gzipped to
 * {@code .gz} when {@code compress} is on, and a new file is opened under the original name. Then
 * retention runs: rotated files beyond {@code keep} (the newest are kept) and those older than
 * {@code max-age} are deleted. Everything runs on the sink's thread; compressing a large file
 * delays the sink (its queue absorbs that, or drops), never the event loops.
 */
final class FileLogSink implements LogSink {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

  private final FileSink config;
  private final Clock clock;
  private final Path path;
  private final String prefix;
  private @Nullable OutputStream out;
  private long size;
  private long openedAt;
  private long lastRotation;

  FileLogSink(FileSink config, Clock clock) throws IOException {
    this.config = config;
    this.clock = clock;
    this.path = config.path();
    this.prefix = path.getFileName() + ".";
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    open();
  }

  /** The open file, opened when it is not. */
  private OutputStream open() throws IOException {
    OutputStream o = out;
    if (o != null) {
      return o;
    }
    o =
        new BufferedOutputStream(
            Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND),
            65_536);
    out = o;
    size = Files.size(path);
    openedAt = clock.millis();
    return o;
  }

  @Override
  public void deliver(List<LogLine> batch) throws IOException {
    OutputStream o = open();
    for (LogLine line : batch) {
      long length = line.json().length + 1L;
      if (dueBySize(length) || dueByTime()) {
        o = rotate();
      }
      o.write(line.json());
      o.write('\n');
      size += length;
    }
    o.flush();
  }

  @Override
  public void idle() throws IOException {
    open().flush();
    if (dueByTime()) {
      rotate();
    }
  }

  private boolean dueBySize(long next) {
    return config.maxSize() > 0 && size > 0 && size + next > config.maxSize();
  }

  private boolean dueByTime() {
    return config.interval() != null
        && size > 0
        && clock.millis() - openedAt >= config.interval().toMillis();
  }

  /** Rotates the file and returns the new one. */
  private OutputStream rotate() throws IOException {
    OutputStream old = out;
    if (old != null) {
      old.close();
    }
    out = null;
    Path rotated = rotatedName();
    Files.move(path, rotated, StandardCopyOption.ATOMIC_MOVE);
    OutputStream o = open();
    if (config.compress()) {
      gzip(rotated);
    }
    retain();
    return o;
  }

  /**
   * The name of the next rotated file: its time, one millisecond after the last when two rotations
   * fall in the same one, so that names stay unique and sort in rotation order.
   */
  private Path rotatedName() {
    long t = Math.max(clock.millis(), lastRotation + 1);
    Path candidate = path.resolveSibling(prefix + STAMP.format(Instant.ofEpochMilli(t)));
    while (Files.exists(candidate) || Files.exists(gz(candidate))) {
      t++;
      candidate = path.resolveSibling(prefix + STAMP.format(Instant.ofEpochMilli(t)));
    }
    lastRotation = t;
    return candidate;
  }

  private static Path gz(Path file) {
    return file.resolveSibling(file.getFileName() + ".gz");
  }

  private static void gzip(Path file) throws IOException {
    Path target = gz(file);
    Path partial = file.resolveSibling(file.getFileName() + ".gz.partial");
    try (InputStream in = Files.newInputStream(file);
        OutputStream z = new GZIPOutputStream(Files.newOutputStream(partial), 65_536)) {
      in.transferTo(z);
    }
    Files.setLastModifiedTime(partial, Files.getLastModifiedTime(file));
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    Files.delete(file);
  }

  /** The rotated files, newest first (their names sort by the time they were rotated). */
  List<Path> rotatedFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    Path dir = path.toAbsolutePath().getParent();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (!name.endsWith(".partial") && Character.isDigit(name.charAt(prefix.length()))) {
          out.add(f);
        }
      }
    }
    out.sort(Comparator.comparing((Path f) -> f.getFileName().toString()).reversed());
    return out;
  }

  private void retain() throws IOException {
    List<Path> rotated = rotatedFiles();
    long oldest =
        config.maxAge() == null ? Long.MIN_VALUE : clock.millis() - config.maxAge().toMillis();
    for (int i = 0; i < rotated.size(); i++) {
      Path f = rotated.get(i);
      boolean beyondCount = config.keep() > 0 && i >= config.keep();
      boolean tooOld =
          config.maxAge() != null
              && Files.getLastModifiedTime(f).compareTo(FileTime.fromMillis(oldest)) < 0;
      if (beyondCount || tooOld) {
        Files.deleteIfExists(f);
      }
    }
  }

  @Override
  public void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        // nothing more to do
      }
      out = null;
    }
  }
}
