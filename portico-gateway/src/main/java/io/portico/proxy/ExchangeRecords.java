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
 * exchange's view and parts hold at its end, assembled once, when the exchange finishes.
 *
 * <p>Stateless. Called on the exchange's event loop, where the record's headers (the request's and
 * the response's, not copied) are valid; observers that keep anything copy it there.
 */
final class ExchangeRecords {

  private ExchangeRecords() {}

  /** The record of {@code x}, which has finished. */
  static ExchangeRecord of(HttpExchange x) {
    long end = x.conn.nanoTime();
    long connected = x.call == null ? 0 : x.call.connectedNanos();
    long sent = x.call == null ? 0 : x.call.requestSentNanos();
    long responseHead = x.call == null ? 0 : x.call.responseHeadNanos();
    Endpoint endpoint = x.call == null ? null : x.call.endpoint();
    Identity identity = x.get(Identity.KEY);
    LimitDecision limitDecision = x.get(LimitDecision.KEY);
    return new ExchangeRecord(
        System.currentTimeMillis() - (end - x.startNanos) / 1_000_000,
        x.requestId,
        x.clientAddressText(),
        x.request.method().name(),
        x.path != null ? x.path : withoutQuery(x.originalUri),
        x.conn.http2() ? "HTTP/2.0" : x.clientVersion.text(),
        x.originalHost,
        x.route == null ? null : x.route.name(),
        x.service == null ? null : x.service.name(),
        endpoint == null ? null : endpoint.authority(),
        x.status,
        x.requestBytes,
        x.responseBytes,
        (end - x.startNanos) / 1e6,
        connected == 0 ? -1 : (connected - x.startNanos) / 1e6,
        responseHead == 0 || sent == 0 ? -1 : (responseHead - sent) / 1e6,
        x.failure == null ? null : x.failure.code(),
        x.call == null ? 0 : x.call.attempts(),
        x.request.headers().get(HttpHeaderNames.USER_AGENT),
        x.aggregate == null ? List.of() : x.aggregate.records(),
        identity == null ? null : identity.consumer(),
        identity == null ? null : identity.method(),
        x.phases == null ? null : x.phases.repliedBy(),
        limitDecision == null ? null : limitDecision.label(),
        queryOf(x.originalUri),
        x.request.headers(),
        x.response == null ? null : x.response.headers(),
        x.traceId(),
        aiRecord(x.get(AiUsage.KEY), x.get(AiRequestChecks.KEY)),
        x.grpc == null ? -1 : x.grpc.recordedStatus(x.status, x.failure),
        x.captured == null ? null : x.captured.requestBody(),
        x.captured == null ? null : x.captured.responseBody());
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
