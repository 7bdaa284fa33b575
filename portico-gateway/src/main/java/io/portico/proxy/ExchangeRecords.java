package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.portico.ai.AiRequestChecks;
import io.portico.ai.AiUsage;
import io.portico.observe.ExchangeRecord;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.LimitDecision;
import io.portico.upstream.Endpoint;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The record of a finished exchange for its observers (metrics, the access log): what the
 * exchange's view and parts hold at its end, assembled once, when the exchange finishes and only
 * when an observer takes it, through its connection's {@link ExchangeRecord.Builder}: into the
 * builder's shared record when no observer keeps records, else a record of its own.
 *
 * <p>Stateless. Called on the exchange's event loop, where the record's headers (the request's and
 * the response's, not copied) are valid; observers that keep anything copy it there.
 */
final class ExchangeRecords {

  private ExchangeRecords() {}

  /**
   * The record of {@code x}, which has finished, made with {@code b}: a builder its connection
   * reuses for each of its records, since every component is set here anew. The record is the
   * builder's shared one ({@link ExchangeRecord.Builder#buildShared}) unless {@code keeps} ({@link
   * io.portico.observe.ExchangeObserver#keepsRecords}), and carries a generated request id that
   * nothing made text of yet only when {@code readsId} ({@link
   * io.portico.observe.ExchangeObserver#readsRequestId}), as its bits ({@link
   * ExchangeRecord.Builder#generatedRequestId}). Once the observers have read it, {@link #release}
   * drops from the builder what would keep the exchange's header maps and bodies alive.
   */
  static ExchangeRecord of(
      HttpExchange x, ExchangeRecord.Builder b, boolean readsId, boolean keeps) {
    fill(x, b);
    String id = x.requestIdIfMade();
    if (readsId && id == null && x.idGenerated) {
      // its text, if an observer reads it at all, is made then (off the event loop for a log line)
      b.generatedRequestId(x.idHigh, x.idLow);
    } else {
      b.requestId(id);
    }
    return keeps ? b.build() : b.buildShared();
  }

  /** Drops the last exchange's header maps, bodies, backends and AI usage from {@code b}. */
  static void release(ExchangeRecord.Builder b) {
    b.requestHeaders(null)
        .responseHeaders(null)
        .requestBody(null)
        .responseBody(null)
        .backends(List.of())
        .ai(null);
  }

  private static ExchangeRecord.Builder fill(HttpExchange x, ExchangeRecord.Builder b) {
    long end = x.conn.nanoTime();
    long connected = x.call == null ? 0 : x.call.connectedNanos();
    long sent = x.call == null ? 0 : x.call.requestSentNanos();
    long responseHead = x.call == null ? 0 : x.call.responseHeadNanos();
    Endpoint endpoint = x.call == null ? null : x.call.endpoint();
    Identity identity = x.get(Identity.KEY);
    LimitDecision limitDecision = x.get(LimitDecision.KEY);
    return b.startEpochMillis(System.currentTimeMillis() - (end - x.startNanos) / 1_000_000)
        .clientAddress(x.clientAddressText())
        .method(x.request.method().name())
        .path(x.path != null ? x.path : withoutQuery(x.originalUri))
        .protocol(x.conn.http2() ? "HTTP/2.0" : x.clientVersion.text())
        .host(x.originalHost)
        .route(x.route == null ? null : x.route.name())
        .service(x.service == null ? null : x.service.name())
        .upstream(endpoint == null ? null : endpoint.authority())
        .status(x.status)
        .requestBytes(x.requestBytes)
        .responseBytes(x.responseBytes)
        .durationMillis((end - x.startNanos) / 1e6)
        .upstreamConnectMillis(connected == 0 ? -1 : (connected - x.startNanos) / 1e6)
        .upstreamResponseMillis(responseHead == 0 || sent == 0 ? -1 : (responseHead - sent) / 1e6)
        .failure(failureOf(x))
        .attempts(x.call == null ? 0 : x.call.attempts())
        .userAgent(x.request.headers().get(HttpHeaderNames.USER_AGENT))
        .backends(x.aggregate == null ? List.of() : x.aggregate.records())
        .consumer(identity == null ? null : identity.consumer())
        .authenticatedBy(identity == null ? null : identity.method())
        .repliedBy(x.phases == null ? null : x.phases.repliedBy())
        .repliedByAuthentication(x.phases != null && x.phases.repliedByAuthentication())
        .limitDecision(limitDecision == null ? null : limitDecision.label())
        .query(queryOf(x.originalUri))
        .requestHeaders(x.request.headers())
        .responseHeaders(x.response == null ? null : x.response.headers())
        .traceId(x.traceId())
        .ai(aiRecord(x.get(AiUsage.KEY), x.get(AiRequestChecks.KEY)))
        .grpcStatus(x.grpc == null ? -1 : x.grpc.recordedStatus(x.status, x.failure))
        .requestBody(x.captured == null ? null : x.captured.requestBody())
        .responseBody(x.captured == null ? null : x.captured.responseBody());
  }

  private static ExchangeRecord.@Nullable Ai aiRecord(
      @Nullable AiUsage u, @Nullable AiRequestChecks checks) {
    if (u == null) {
      return null;
    }
    return new ExchangeRecord.Ai(
        u.model(),
        u.provider(),
        u.providerModel(),
        u.stream(),
        u.usage().promptTokens(),
        u.usage().completionTokens(),
        u.usage().totalTokens(),
        u.estimated(),
        u.cost(),
        u.firstEventMillis(),
        u.tokensPerSecond(),
        checks == null ? -1 : checks.masked(),
        checks == null || checks.cache() == null
            ? null
            : checks.cache().toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * The exchange's failure code, or, for a plugin's local answer, the reason the plugin gave (an
   * authentication plugin's {@code jwt_expired}), or null.
   */
  private static @Nullable String failureOf(HttpExchange x) {
    if (x.failure != null) {
      return x.failure.code();
    }
    return x.phases == null ? null : x.phases.replyReason();
  }

  private static @Nullable String queryOf(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? null : uri.substring(q + 1);
  }

  /** The request-target of a request refused before routing, without its query (credentials). */
  private static String withoutQuery(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }
}
