package io.portico.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The console's own assets stay small: every file of the console's resources, each gzip-compressed
 * as a server or proxy would send it, adds up to less than 300 KB.
 */
class ConsoleAssetsSizeTest {

  private static final long LIMIT = 300 * 1024;

  @Test
  void consoleAssetsAreUnder300KilobytesCompressed() throws Exception {
    // The folder of index.html: the main resources, not this test's classes of the same package.
    URL index = ConsoleAssetsSizeTest.class.getResource("/io/portico/console/index.html");
    assertThat(index).isNotNull();
    List<Path> files;
    try (Stream<Path> s = Files.walk(Path.of(index.toURI()).getParent())) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertThat(files).extracting(f -> f.getFileName().toString()).contains("index.html", "app.js");
    long raw = 0;
    long compressed = 0;
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      raw += bytes.length;
      compressed += gzip(bytes);
    }
    assertThat(compressed)
        .as("%d console files, %d bytes, %d gzip-compressed", files.size(), raw, compressed)
        .isLessThan(LIMIT);
  }

  private static int gzip(byte[] bytes) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(bytes);
    }
    return out.size();
  }
}
