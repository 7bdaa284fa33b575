package io.portico.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.portico.aggregate.AggregatePlan;
import io.portico.aggregate.AggregateResult;
import io.portico.aggregate.Aggregation;
import io.portico.observe.ExchangeRecord;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.StatusReasons;
import io.portico.upstream.UpstreamHooks;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream step of an exchange on an aggregate route: its {@link Aggregation} calls the route's
 * backends instead of one upstream, and its result comes back as the exchange's answer (an answer
 * goes through the response phases like an upstream's response, so response plugins see the merged
 * body; a failure is a problem naming each failed backend).
 *
 * <p>The client's body is not forwarded (each backend has its own request); when the aggregate's
 * templates read it, it is gathered up to the aggregate's {@code max-body-size} in an {@link
 * AggregateRequestJson} and parsed once, complete, before the aggregation starts; otherwise what
 * arrives of it is read and dropped.
 *
 * <p>Made by the exchange only when its route aggregates. Confined to the exchange's event loop;
 * owns the body being gathered until it is parsed or {@link #abort}ed, and the aggregation, which
 * owns its backend calls.
 */
final class AggregateStep implements Aggregation.Host {

  private static final Logger log = LoggerFactory.getLogger(AggregateStep.class);

  /** Names the backends of an aggregate that failed, comma-separated. */
  static final AsciiString AGGREGATE_FAILED = AsciiString.cached("x-portico-aggregate-failed");

  private final HttpExchange exchange;
  private final AggregatePlan plan;
  private final boolean readsBody;
  private @Nullable AggregateRequestJson body;
  private @Nullable Aggregation aggregation;

  AggregateStep(HttpExchange exchange, AggregatePlan plan) {
    this.exchange = exchange;
    this.plan = plan;
    this.readsBody = plan.readsRequestBody();
  }

  /**
   * Gathers the part of the client's body already read (or drops it), reads the rest, and starts
   * the aggregation: at once, or, when its templates read the body, once the body is complete.
   */
  void start() {
    DownstreamHandler conn = exchange.conn;
    if (readsBody) {
      body = new AggregateRequestJson(conn.alloc(), plan.config().maxBodySize());
      if (!collectHeldBody()) {
        return;
      }
    }
    exchange.releaseQueued();
    exchange.readRestOfBody();
    aggregation = new Aggregation(plan, conn.pools(), conn.upstreamHooks(), conn.alloc(), this);
    if (!readsBody) {
      aggregation.start();
    } else if (exchange.requestComplete()) {
      startWithBody();
    }
  }

  /** Whether the aggregation runs: the client's body chunks are this step's from now on. */
  boolean running() {
    return aggregation != null;
  }

  /** A chunk of the client's body: gathered when the templates read it, else dropped. */
  void onRequestContent(HttpContent content, boolean last) {
    AggregateRequestJson gathering = body;
    if (gathering == null) {
      content.release();
      exchange.armForBody(last);
      return;
    }
    if (!gathering.append(content.content())) {
      exchange.refuseRequest(Failure.BODY_TOO_LARGE, tooLarge(gathering));
      return;
    }
    exchange.armForBody(last);
    if (last) {
      startWithBody();
    }
  }

  /**
   * Moves the part of the client's body already read (replaced by a plugin, read for one, or
   * queued) into {@link #body}; false when it is over the limit (the exchange failed).
   */
  private boolean collectHeldBody() {
    AggregateRequestJson gathering = Objects.requireNonNull(body, "the body is gathered");
    boolean fits = true;
    HttpContent c;
    while ((c = exchange.nextHeld()) != null) {
      if (fits) {
        fits = gathering.append(c.content());
      } else {
        c.release();
      }
    }
    if (!fits) {
      exchange.failClosing(Failure.BODY_TOO_LARGE, tooLarge(gathering));
    }
    return fits;
  }

  private static String tooLarge(AggregateRequestJson gathering) {
    return "The request body exceeds the " + gathering.limit() + " bytes the aggregate reads.";
  }

  /** The client's body is complete: parsed once, then the aggregation starts. */
  private void startWithBody() {
    JsonNode json = Objects.requireNonNull(body, "the body is gathered").parse();
    body = null;
    Objects.requireNonNull(aggregation, "the aggregate has started").start(json);
  }

  /** Ends the aggregation (its calls cancelled) and releases the body being gathered. */
  void abort() {
    if (aggregation != null) {
      aggregation.abort();
    }
    if (body != null) {
      body.discard();
      body = null;
    }
  }

  /** Each backend call as the access log records it; none when the aggregation never ran. */
  List<ExchangeRecord.Backend> records() {
    return aggregation == null ? List.of() : aggregation.records();
  }

  // ---------------------------------------------------------------- Aggregation.Host

  @Override
  public Exchange exchange() {
    return exchange;
  }

  @Override
  public UpstreamHooks backendHooks(UpstreamHooks shared, HttpRequest head) {
    return exchange.trace == null
        ? shared
        : new TracedAttempts(exchange.trace, shared, head.method().name());
  }

  /** A backend's head: forwarding headers, the request id and the identity headers plugins set. */
  @Override
  public void prepareBackendHead(HttpRequest head) {
    UpstreamHead.forBackend(exchange, head);
  }

  @Override
  public void onAggregated(AggregateResult result) {
    if (exchange.state() != ExchangeState.UPSTREAM) {
      if (result instanceof AggregateResult.Answer answer) {
        answer.body().release();
      }
      return;
    }
    if (result instanceof AggregateResult.Failed failed) {
      Failure reason =
          failed.timeout() ? Failure.AGGREGATE_TIMEOUT : Failure.AGGREGATE_BACKEND_FAILED;
      log.debug(
          "request {} on route {}: {}",
          exchange.requestIdOrNull(),
          exchange.routeName(),
          failed.detail());
      exchange.failure = reason;
      FullHttpResponse problem =
          ProblemResponses.render(
              exchange.conn.alloc(),
              reason.status(),
              reason.type(),
              reason.title(),
              failed.detail(),
              exchange.path,
              exchange.requestIdOrNull(),
              exchange.traceId(),
              "failures",
              failed.failuresJson());
      problem.headers().set(AGGREGATE_FAILED, String.join(",", failed.failed()));
      exchange.sendLocal(problem);
      return;
    }
    AggregateResult.Answer answer = (AggregateResult.Answer) result;
    HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, StatusReasons.status(answer.status()));
    if (answer.contentType() != null) {
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    }
    head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().readableBytes());
    if (!answer.failed().isEmpty()) {
      head.headers().set(AGGREGATE_FAILED, String.join(",", answer.failed()));
    }
    exchange.onResponseHead(head);
    exchange.onResponseContent(new DefaultLastHttpContent(answer.body()));
  }
}
