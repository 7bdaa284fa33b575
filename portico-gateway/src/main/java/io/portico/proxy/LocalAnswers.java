package io.portico.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.ai.AiPlan;
import io.portico.spi.plugin.GatewayAnswerHeaders;
import io.portico.spi.plugin.Reply;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's own answers to a client, in the shape its exchange calls for: a gRPC call gets a
 * trailers-only gRPC status ({@link GrpcCall}); a route whose {@code ai} section answers errors in
 * OpenAI's shape gets OpenAI's error (Anthropic's on a Messages API path); every other request an
 * {@code application/problem+json} problem with the request id and trace id ({@link
 * ProblemResponses}). A plugin's {@link Reply} that is no refusal goes out as the plugin made it.
 *
 * <p>Stateless; called on the exchange's event loop. The answers are built here and written by the
 * exchange, which owns them from then on.
 */
final class LocalAnswers {

  /**
   * The {@code Allow} of a 405: the methods the gateway forwards ({@code CONNECT} and {@code TRACE}
   * are answered by the gateway itself, never forwarded).
   */
  static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";

  private LocalAnswers() {}

  /** A plugin's reply as {@code x}'s client gets it. */
  static FullHttpResponse forReply(ExchangeView x, @Nullable GrpcCall grpc, Reply reply) {
    ByteBufAllocator alloc = x.conn.alloc();
    if (grpc != null) {
      FullHttpResponse answer = grpc.reply(reply);
      if (answer != null) {
        return answer;
      }
    }
    if (reply.problem() != null && openAiErrors(x)) {
      return anthropicErrors(x)
          ? ProblemResponses.renderAnthropic(alloc, reply)
          : ProblemResponses.renderOpenAi(alloc, reply);
    }
    return ProblemResponses.render(alloc, reply, x.path, x.requestIdOrNull(), x.traceId());
  }

  /** The answer to {@code x}'s failure for {@code reason}, before its response started. */
  static FullHttpResponse forFailure(
      ExchangeView x, @Nullable GrpcCall grpc, Failure reason, String detail) {
    ByteBufAllocator alloc = x.conn.alloc();
    if (grpc != null) {
      return grpc.reply(reason, detail);
    }
    if (openAiErrors(x)) {
      return anthropicErrors(x)
          ? ProblemResponses.renderAnthropic(alloc, reason.status(), detail)
          : ProblemResponses.renderOpenAi(alloc, reason.status(), reason.code(), detail);
    }
    FullHttpResponse problem =
        ProblemResponses.render(alloc, reason, detail, x.path, x.requestIdOrNull(), x.traceId());
    if (reason == Failure.METHOD_NOT_ALLOWED) {
      problem.headers().set(HttpHeaderNames.ALLOW, allowOf(x));
    }
    return problem;
  }

  /**
   * The {@code Allow} of a 405: for a path that routes take only under other methods, those
   * methods, asked of the router again for this rare answer rather than kept on every exchange;
   * otherwise (a method refused before routing) the methods the gateway proxies.
   */
  private static String allowOf(ExchangeView x) {
    String path = x.path;
    if (x.route == null && path != null) {
      // Routing answers a 405 at once, so the head is as routing read it: its Host is the one
      // matched (an absolute-form target's authority was written into it before).
      HttpHeaders headers = x.request.headers();
      String allow =
          x.snapshot
              .router()
              .allowedMethods(headers.get(HttpHeaderNames.HOST), path, headers, x.rawQuery);
      if (allow != null) {
        return allow;
      }
    }
    return ALLOWED_METHODS;
  }

  /** The 408 of a request head that did not arrive in time; the connection closes after it. */
  static FullHttpResponse headerTimeout(ByteBufAllocator alloc, Duration timeout) {
    FullHttpResponse r =
        ProblemResponses.render(
            alloc,
            Failure.REQUEST_HEADER_TIMEOUT,
            "The request head was not received within " + timeout.toMillis() + " ms.",
            null,
            null);
    r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    GatewayAnswerHeaders.mark(r.headers());
    return r;
  }

  /** The answer to {@code OPTIONS *}: 200, no body. */
  static FullHttpResponse asteriskOptions() {
    FullHttpResponse ok =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    ok.headers().set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO);
    return ok;
  }

  /** The interim answer to a client that expects {@code 100 Continue}. */
  static HttpResponse continueResponse() {
    return new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
  }

  /** The detail of a request no route takes: 405's when {@code allow} names other methods. */
  static String unrouted(
      String method, String path, @Nullable String host, @Nullable String allow) {
    return allow == null
        ? noRoute(method, path, host)
        : methodNotAllowed(method, path, host, allow);
  }

  /** The detail of a request-target the path policy refuses, naming the rule it breaks. */
  static String badTarget(String rule) {
    return "The request-target is not acceptable (expected: " + rule + ").";
  }

  /** The detail of a 404 for a request no route matches: its method, path and host (no port). */
  static String noRoute(String method, String path, @Nullable String host) {
    return "No route matches "
        + method
        + " "
        + path
        + (host == null ? "" : " on host " + stripPort(host))
        + ".";
  }

  /**
   * The detail of a 405 for a request whose path routes take only under other methods: its method,
   * path and host (no port), and the methods they take.
   */
  static String methodNotAllowed(String method, String path, @Nullable String host, String allow) {
    return "No route takes "
        + method
        + " "
        + path
        + (host == null ? "" : " on host " + stripPort(host))
        + "; its routes take "
        + allow
        + ".";
  }

  /** Whether the route answers errors in OpenAI's shape rather than as problems. */
  private static boolean openAiErrors(ExchangeView x) {
    AiPlan ai = x.route == null ? null : x.route.ai();
    return ai != null && ai.openAiErrors();
  }

  /** Whether the route's API errors take Anthropic's shape: a Messages API path. */
  private static boolean anthropicErrors(ExchangeView x) {
    AiPlan ai = x.route == null ? null : x.route.ai();
    return x.path != null && ai != null && ai.anthropicErrors(x.path);
  }

  private static String stripPort(String host) {
    int colon = host.lastIndexOf(':');
    return colon > 0 && host.indexOf(']') < colon ? host.substring(0, colon) : host;
  }
}
