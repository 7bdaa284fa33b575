package io.portico.plugins.transform;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.portico.config.ConfigLoader;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JSON edit of {@code response-transformer} on a 4 KiB document: two fields denied (one nested
 * in every array element), one renamed. Measures the whole-body step as the gateway calls it, from
 * the held body to a new pooled buffer. Run with {@code -prof gc} for the bytes allocated per
 * rewrite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class JsonRewriteBenchmark {

  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

  // Set in setUp, which JMH runs before any benchmark method.
  @SuppressWarnings("NullAway.Init")
  private ResponseTransformerPlugin plugin;

  @SuppressWarnings("NullAway.Init")
  private ByteBuf body;

  @Setup
  public void setUp() {
    var loaded =
        ConfigLoader.withEnvironment(Map.of())
            .load(
                """
                json:
                  deny: [ password, "items[*].internal" ]
                  rename: { name: fullName }
                """,
                "bench.yaml");
    ConfigNode root = loaded.root();
    if (root == null) {
      throw new IllegalStateException(loaded.problems().render());
    }
    Problems problems = new Problems();
    ResponseTransformerFactory.Config config =
        new ResponseTransformerFactory().parse(ConfigReader.of(root, problems));
    if (config == null || !problems.isEmpty()) {
      throw new IllegalStateException(problems.render());
    }
    plugin = new ResponseTransformerPlugin(config);
    StringBuilder doc =
        new StringBuilder(
            "{\"id\":12345,\"name\":\"Ann Example\",\"password\":\"secret\",\"items\":[");
    for (int i = 0; doc.length() < 4000; i++) {
      if (i > 0) {
        doc.append(',');
      }
      doc.append("{\"id\":")
          .append(i)
          .append(",\"title\":\"item number ")
          .append(i)
          .append("\",\"price\":")
          .append(i * 3.25)
          .append(",\"tags\":[\"a\",\"b\"],\"internal\":{\"cost\":1.5,\"supplier\":\"x\"}}");
    }
    doc.append("]}");
    body =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes(doc.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @Benchmark
  public int rewrite() {
    ByteBuf out = plugin.rewrite(body.duplicate(), alloc);
    int n = out.readableBytes();
    out.release();
    return n;
  }
}
