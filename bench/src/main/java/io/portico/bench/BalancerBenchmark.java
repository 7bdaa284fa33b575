package io.portico.bench;

import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Balancer;
import io.portico.upstream.Endpoint;
import io.portico.upstream.WeightedRoundRobinBalancer;
import io.portico.upstream.balance.ConsistentHashBalancer;
import io.portico.upstream.balance.LeastRequestBalancer;
import io.portico.upstream.balance.PeakEwmaBalancer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One balancer pick and its report, as an attempt makes them, over {@code endpoints} endpoints:
 * round-robin, least-request (power of two choices), peak-EWMA and consistent hashing (the ring
 * built once, as it is per published list).
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar BalancerBenchmark -f 1 -wi 3 -i 5 -w 1s -r
 * 1s -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BalancerBenchmark {

  @Param({"10", "100"})
  int endpoints;

  private List<Endpoint> list;
  private final Balancer roundRobin = new WeightedRoundRobinBalancer();
  private final Balancer leastRequest = new LeastRequestBalancer();
  private final Balancer ewma = new PeakEwmaBalancer();
  private final Balancer hash = new ConsistentHashBalancer();
  private long key;

  @Setup
  public void setUp() {
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      String host = "10.0." + (i / 250) + "." + (i % 250 + 1);
      out.add(new Endpoint(new InetSocketAddress(host, 8080), host + ":8080", 1));
    }
    list = List.copyOf(out);
  }

  @Benchmark
  public Endpoint roundRobin() {
    return pickAndReport(roundRobin, 0);
  }

  @Benchmark
  public Endpoint leastRequestP2c() {
    return pickAndReport(leastRequest, 0);
  }

  @Benchmark
  public Endpoint peakEwma() {
    return pickAndReport(ewma, 0);
  }

  @Benchmark
  public Endpoint consistentHash() {
    key += 0x9E3779B97F4A7C15L;
    return pickAndReport(hash, key);
  }

  private Endpoint pickAndReport(Balancer balancer, long hash) {
    Endpoint e = balancer.pick(list, null, hash);
    balancer.onResult(e, AttemptOutcome.SUCCESS, 200, 1_000_000L);
    return e;
  }
}
