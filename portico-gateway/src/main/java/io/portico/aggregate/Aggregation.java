package io.portico.aggregate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import io.portico.observe.ExchangeRecord;
import io.portico.spi.plugin.Exchange;
import io.portico.template.BackendBodies;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One exchange's run of an {@link AggregatePlan}: starts every backend whose {@code after} list is
 * satisfied (all at once when none has one), collects their bodies, and once all have ended (or the
 * outcome is decided) hands the {@link Host} one {@link AggregateResult}.
 *
 * <pre>
 *   start() ─▶ backends without after ─▶ each ends ─▶ dependants whose backends all answered start
 *                  (in parallel)              │        (a failed dependency fails them unstarted,
 *                                             │         cause dependency_failed naming it)
 *                                             ├─ strict, or a required backend failed ─▶ Failed
 *                                             └─ all ended ─▶ merge in config order ─▶ Answer
 *   the deadline (the aggregate's timeout, or a backend's own) ─▶ the backends still running fail
 *   with cause timeout
 * </pre>
 *
 * <p>Requests: each backend's request is rendered from its templates when it starts, so a backend
 * that waits for others reads their bodies as received ({@link #body}, the {@link BackendBodies} of
 * {@code ${backend.NAME./POINTER}}).
 *
 * <p>Deadlines: one task on the event loop at a time, for the earliest deadline of the aggregate
 * and its running backends; a backend's deadline never passes the aggregate's.
 *
 * <p>Threading: confined to the exchange's event loop; the calls use that loop's pools, so nothing
 * hops threads. Ownership: each backend's body belongs to its {@link BackendCall} until parsed (or
 * handed over in a one-backend {@link AggregateResult.Answer}); {@link #abort} releases everything
 * still held and ends the calls. The host is told exactly once, never after {@link #abort}.
 */
public final class Aggregation implements BackendBodies {

  /** What the exchange provides to an aggregation and learns from it. */
  public interface Host {

    /**
     * A backend's request head before it is sent: the exchange adds what every upstream request
     * carries (forwarding headers, the request id, the identity headers its plugins set).
     */
    void prepareBackendHead(HttpRequest head);

    /** The exchange the backends' request templates are rendered for. */
    Exchange exchange();

    /** The aggregation ended with {@code result}; called once, on the event loop. */
    void onAggregated(AggregateResult result);

    /**
     * The hooks of one backend's call: {@code shared} (the gateway's), or hooks made for this call
     * that also trace its attempts.
     */
    default UpstreamHooks backendHooks(UpstreamHooks shared, HttpRequest head) {
      return shared;
    }
  }

  /**
   * Reads a backend's body as exactly one JSON value: anything after it but blanks ({@code {"id":1}
   * {"admin":true}}, {@code {"id":1}<script>}) makes the body malformed, never a partial read of
   * its start.
   */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  static final String FAILURES_MEMBER = "_failures";

  private final AggregatePlan plan;
  private final UpstreamPools pools;
  private final UpstreamHooks hooks;
  private final ByteBufAllocator alloc;
  private final Host host;
  private final BackendCall[] calls;
  private long deadlineNanos;
  private @Nullable ScheduledFuture<?> timer;
  private long timerAt = Long.MAX_VALUE;
  private int ended;
  private boolean done;
  private boolean expired;
  private @Nullable JsonNode requestBody;

  public Aggregation(
      AggregatePlan plan,
      UpstreamPools pools,
      UpstreamHooks hooks,
      ByteBufAllocator alloc,
      Host host) {
    this.plan = plan;
    this.pools = pools;
    this.hooks = hooks;
    this.alloc = alloc;
    this.host = host;
    List<Backend> backends = plan.backends();
    this.calls = new BackendCall[backends.size()];
    for (int i = 0; i < calls.length; i++) {
      calls[i] = new BackendCall(backends.get(i), this);
    }
  }

  /** Starts every backend that waits for none; the host may be told before this returns. */
  public void start() {
    start(null);
  }

  /**
   * As {@link #start()}, with the client's body parsed as JSON for the templates that read {@code
   * ${body}} (null when there is none, or it is not JSON: those values are missing).
   */
  public void start(@Nullable JsonNode requestBody) {
    this.requestBody = requestBody;
    long now = now();
    deadlineNanos = now + plan.timeoutNanos();
    for (BackendCall c : calls) {
      if (done) {
        return;
      }
      if (c.state() == BackendCall.State.WAITING && c.backend().after().length == 0) {
        launch(c, now);
      }
    }
    schedule();
  }

  /** Ends every call and releases every body still held; the host is not told. Idempotent. */
  public void abort() {
    if (done) {
      return;
    }
    done = true;
    cancelAll();
  }

  /** Each backend call as the access log records it, in config order. */
  public List<ExchangeRecord.Backend> records() {
    List<ExchangeRecord.Backend> out = new ArrayList<>(calls.length);
    for (BackendCall c : calls) {
      out.add(c.record());
    }
    return out;
  }

  int maxBodySize() {
    return plan.maxBodySize();
  }

  ByteBufAllocator alloc() {
    return alloc;
  }

  long now() {
    return pools.loop().ticker().nanoTime();
  }

  // ---------------------------------------------------------------- a backend ended

  /** Called by a backend call when it answered or failed. */
  void onBackendEnded(BackendCall c) {
    if (done) {
      c.cancel(now());
      return;
    }
    ended++;
    if (c.state() == BackendCall.State.ANSWERED && !single()) {
      parse(c, c.takeBody());
    }
    if (c.state() == BackendCall.State.FAILED && (plan.strict() || c.backend().required())) {
      // The outcome is decided: no need to wait for the others.
      complete();
      return;
    }
    startDependants(c);
    if (!done && ended == calls.length) {
      complete();
    } else if (!done) {
      schedule();
    }
  }

  /** Starts (or fails, when a dependency failed) the backends that waited for {@code c}. */
  private void startDependants(BackendCall ended) {
    long now = now();
    for (BackendCall c : calls) {
      if (done) {
        return;
      }
      if (c.state() != BackendCall.State.WAITING || !waitsFor(c, ended)) {
        continue;
      }
      BackendCall failedDependency = null;
      boolean ready = true;
      for (int i : c.backend().after()) {
        BackendCall dependency = calls[i];
        if (dependency.state() == BackendCall.State.FAILED) {
          failedDependency = dependency;
        } else if (dependency.state() != BackendCall.State.ANSWERED) {
          ready = false;
        }
      }
      if (failedDependency != null) {
        c.fail(
            new BackendFailure(
                BackendFailure.Cause.DEPENDENCY_FAILED,
                0,
                "Not called: backend " + failedDependency.backend().name() + " failed."),
            now);
      } else if (ready) {
        if (expired) {
          c.fail(timeout(), now);
        } else {
          launch(c, now);
        }
      }
    }
  }

  /**
   * Renders the backend's request (its templates read the exchange, the client's body and the
   * bodies of the backends it waited for) and starts its call; a request that cannot be rendered
   * fails the backend without a call.
   */
  private void launch(BackendCall c, long now) {
    Backend.Request request;
    try {
      request = c.backend().render(host.exchange(), requestBody, this);
    } catch (Backend.InvalidRequest e) {
      c.fail(
          new BackendFailure(
              BackendFailure.Cause.REQUEST_INVALID, 0, String.valueOf(e.getMessage())),
          now);
      return;
    }
    c.start(pools, hooks, host, request, now, deadlineNanos);
  }

  /**
   * The body of a backend that answered, as received (before its merge rule): what {@code
   * ${backend.NAME./POINTER}} reads. Null for any other.
   */
  @Override
  public @Nullable JsonNode body(String name) {
    int i = plan.indexOf(name);
    if (i < 0 || calls[i].state() != BackendCall.State.ANSWERED) {
      return null;
    }
    return calls[i].received();
  }

  private boolean waitsFor(BackendCall c, BackendCall dependency) {
    for (int i : c.backend().after()) {
      if (calls[i] == dependency) {
        return true;
      }
    }
    return false;
  }

  /** An answer's body parsed and shaped (and released); a malformed one fails its backend. */
  private void parse(BackendCall c, ByteBuf body) {
    int status = c.status();
    try {
      if (status < 200 || status > 299) {
        markFailed(
            c,
            new BackendFailure(
                BackendFailure.Cause.STATUS, status, "The service answered " + status + "."));
        return;
      }
      JsonNode tree;
      if (!body.isReadable()) {
        tree = JsonNodeFactory.instance.nullNode();
      } else {
        try (ByteBufInputStream in = new ByteBufInputStream(body)) {
          tree = JSON.readTree((java.io.InputStream) in);
        }
        if (tree == null || tree.isMissingNode()) {
          tree = JsonNodeFactory.instance.nullNode();
        }
      }
      if (plan.awaited(c.backend())) {
        c.received(tree);
        if (!c.backend().shaping().untouched()) {
          tree = tree.deepCopy();
        }
      }
      c.value(c.backend().shaping().shape(tree));
    } catch (JsonProcessingException e) {
      long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
      markFailed(
          c,
          new BackendFailure(
              BackendFailure.Cause.MALFORMED_JSON,
              status,
              "The body is not valid JSON" + (offset >= 0 ? " (at offset " + offset + ")." : ".")));
    } catch (Shaping.ShapeMismatch e) {
      markFailed(
          c,
          new BackendFailure(
              BackendFailure.Cause.UNEXPECTED_SHAPE, status, String.valueOf(e.getMessage())));
    } catch (IOException e) {
      markFailed(
          c,
          new BackendFailure(
              BackendFailure.Cause.MALFORMED_JSON, status, "The body could not be read."));
    } finally {
      body.release();
    }
  }

  /** An answered backend whose body turned out unusable: now counted as failed. */
  private static void markFailed(BackendCall c, BackendFailure why) {
    c.markFailed(why);
  }

  // ---------------------------------------------------------------- deadlines

  /** One timer task, for the earliest deadline still ahead. */
  private void schedule() {
    if (done) {
      return;
    }
    long next = expired ? Long.MAX_VALUE : deadlineNanos;
    for (BackendCall c : calls) {
      if (c.state() == BackendCall.State.RUNNING) {
        next = Math.min(next, c.deadlineNanos());
      }
    }
    if (next == timerAt) {
      return;
    }
    cancelTimer();
    if (next == Long.MAX_VALUE) {
      return;
    }
    timerAt = next;
    timer = pools.loop().schedule(this::onTimer, Math.max(0, next - now()), TimeUnit.NANOSECONDS);
  }

  private void onTimer() {
    timer = null;
    timerAt = Long.MAX_VALUE;
    if (done) {
      return;
    }
    long now = now();
    if (now >= deadlineNanos) {
      expired = true;
    }
    for (BackendCall c : calls) {
      if (done) {
        return;
      }
      if (c.state() == BackendCall.State.RUNNING && now >= c.deadlineNanos()) {
        c.fail(timeout(), now);
      } else if (expired && c.state() == BackendCall.State.WAITING) {
        c.fail(timeout(), now);
      }
    }
    schedule();
  }

  private BackendFailure timeout() {
    return new BackendFailure(
        BackendFailure.Cause.TIMEOUT, 0, "The backend did not answer within its deadline.");
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    timerAt = Long.MAX_VALUE;
  }

  // ---------------------------------------------------------------- the end

  private boolean single() {
    return calls.length == 1;
  }

  private void complete() {
    done = true;
    cancelTimer();
    AggregateResult result = single() ? singleResult() : mergedResult();
    cancelAll();
    host.onAggregated(result);
  }

  private void cancelAll() {
    cancelTimer();
    long now = now();
    for (BackendCall c : calls) {
      c.cancel(now);
    }
  }

  /** One backend: its status and body pass through; a failure without an answer is a problem. */
  private AggregateResult singleResult() {
    BackendCall c = calls[0];
    if (c.state() != BackendCall.State.ANSWERED) {
      return failed(List.of(c));
    }
    int status = c.status();
    Shaping shaping = c.backend().shaping();
    ByteBuf body = c.takeBody();
    if (shaping.untouched() || status < 200 || status > 299) {
      return new AggregateResult.Answer(status, c.contentType(), body, List.of());
    }
    parse(c, body);
    if (c.state() == BackendCall.State.FAILED) {
      return failed(List.of(c));
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode();
    shaping.merge(answer, c.value());
    return new AggregateResult.Answer(status, "application/json", write(answer), List.of());
  }

  private AggregateResult mergedResult() {
    List<BackendCall> failed = new ArrayList<>();
    List<BackendCall> deciding = new ArrayList<>();
    for (BackendCall c : calls) {
      if (c.state() == BackendCall.State.FAILED) {
        failed.add(c);
        if (plan.strict() || c.backend().required()) {
          deciding.add(c);
        }
      }
    }
    if (!deciding.isEmpty()) {
      return failed(failed, deciding);
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode();
    for (BackendCall c : calls) {
      if (c.state() == BackendCall.State.ANSWERED) {
        c.backend().shaping().merge(answer, c.value());
      }
    }
    List<String> names = new ArrayList<>();
    if (!failed.isEmpty()) {
      ObjectNode failures = answer.putObject(FAILURES_MEMBER);
      for (BackendCall c : failed) {
        names.add(c.backend().name());
        failures.set(c.backend().name(), describe(c));
      }
    }
    return new AggregateResult.Answer(200, "application/json", write(answer), List.copyOf(names));
  }

  private AggregateResult failed(List<BackendCall> failed) {
    return failed(failed, failed);
  }

  private AggregateResult failed(List<BackendCall> failed, List<BackendCall> deciding) {
    boolean timeout = false;
    for (BackendCall c : deciding) {
      timeout |= c.failure() != null && c.failure().cause().timeout();
    }
    ObjectNode failures = JsonNodeFactory.instance.objectNode();
    List<String> names = new ArrayList<>();
    StringBuilder detail = new StringBuilder("Backend");
    detail.append(failed.size() == 1 ? " " : "s ");
    for (int i = 0; i < failed.size(); i++) {
      BackendCall c = failed.get(i);
      names.add(c.backend().name());
      failures.set(c.backend().name(), describe(c));
      BackendFailure f = c.failure();
      detail.append(i == 0 ? "" : ", ").append(c.backend().name());
      if (f != null) {
        detail.append(" (").append(f.cause().code());
        if (f.status() > 0) {
          detail.append(' ').append(f.status());
        }
        detail.append(')');
      }
    }
    detail.append(" failed.");
    return new AggregateResult.Failed(
        timeout, detail.toString(), failures.toString(), List.copyOf(names));
  }

  private static ObjectNode describe(BackendCall c) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("service", c.backend().service().name());
    BackendFailure f = c.failure();
    if (f != null) {
      if (f.status() > 0) {
        o.put("status", f.status());
      }
      o.put("cause", f.cause().code());
      o.put("detail", f.detail());
    }
    return o;
  }

  private ByteBuf write(ObjectNode answer) {
    ByteBuf out = alloc.buffer();
    try (ByteBufOutputStream stream = new ByteBufOutputStream(out)) {
      JSON.writeValue((java.io.OutputStream) stream, answer);
    } catch (IOException | RuntimeException e) {
      out.release();
      throw new IllegalStateException("writing the aggregate's answer", e);
    }
    return out;
  }
}
