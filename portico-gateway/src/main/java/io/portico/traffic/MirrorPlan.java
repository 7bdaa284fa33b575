package io.portico.traffic;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.portico.config.TrafficConfig;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import io.portico.upstream.UpstreamService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code mirror}, compiled once per snapshot: the shadow service, which requests are
 * copied ({@code percent}, exact over every 10,000 requests of the route: a shared counter, not a
 * coin), the body cap and the Host suffix, and the counts of what happened to the copies.
 *
 * <p>Immutable but for the counters; safe from any thread.
 */
public final class MirrorPlan {

  /** Marks a mirrored request, so the shadow (and its logs) can tell copies from traffic. */
  public static final String MIRROR_HEADER = "x-portico-mirror";

  private static final long SCALE = 10_000;

  private final UpstreamService service;
  private final long share;
  private final long maxBodySize;
  private final String hostSuffix;
  private final AtomicLong seen = new AtomicLong();
  private final LongAdder sent = new LongAdder();
  private final LongAdder answered = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder skipped = new LongAdder();

  MirrorPlan(UpstreamService service, TrafficConfig.Mirror config) {
    this.service = service;
    this.share = Math.round(config.percent() * (SCALE / 100));
    this.maxBodySize = config.maxBodySize();
    this.hostSuffix = config.hostSuffix();
  }

  public UpstreamService service() {
    return service;
  }

  long maxBodySize() {
    return maxBodySize;
  }

  String hostSuffix() {
    return hostSuffix;
  }

  /**
   * Starts mirroring this request when it is sampled and its declared body fits the cap: the copy
   * of the head is taken now (as it goes upstream, forwarding headers included); the body is copied
   * as the caller feeds it ({@link MirrorCall#copy}), and the copy is sent once it is complete.
   *
   * @param head the request head as it goes to the primary upstream
   * @param preservedHost the client's Host when the route preserves it, else null
   * @return the mirror to feed, or null when this request is not mirrored
   */
  public @Nullable MirrorCall begin(
      HttpRequest head,
      @Nullable String preservedHost,
      UpstreamPools pools,
      ByteBufAllocator alloc) {
    if (!sampled()) {
      return null;
    }
    if (HttpUtil.getContentLength(head, 0L) > maxBodySize) {
      skipped.increment();
      return null;
    }
    return new MirrorCall(this, head, preservedHost, pools, UpstreamHooks.NONE, alloc);
  }

  private boolean sampled() {
    if (share >= SCALE) {
      return true;
    }
    if (share <= 0) {
      return false;
    }
    long n = seen.getAndIncrement();
    return (n + 1) * share / SCALE > n * share / SCALE;
  }

  void onSent() {
    sent.increment();
  }

  void onAnswered() {
    answered.increment();
  }

  void onFailed() {
    failed.increment();
  }

  void onSkipped() {
    skipped.increment();
  }

  /** Copies sent to the shadow. */
  public long sent() {
    return sent.sum();
  }

  /** Copies the shadow answered (whatever the status). */
  public long answered() {
    return answered.sum();
  }

  /** Copies that failed: no endpoint, connect failure, timeout, reset. */
  public long failed() {
    return failed.sum();
  }

  /** Sampled requests not mirrored: a body over the cap, or a client that left mid-body. */
  public long skipped() {
    return skipped.sum();
  }
}
