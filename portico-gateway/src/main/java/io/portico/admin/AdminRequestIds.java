package io.portico.admin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.portico.observe.RequestIds;
import io.portico.spi.plugin.StatusReasons;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * Gives every admin API request an id, as the data plane does for proxied ones and by the same
 * rules ({@link RequestIds}): the client's {@code X-Request-Id} when it is well-formed (1 to 128
 * characters of {@code [A-Za-z0-9._:-]}), else 32 random hex digits. Every answer carries it in
 * {@code X-Request-Id}, and every problem body ({@code application/problem+json}) carries it as
 * {@code request_id}, with the request's path as {@code instance}, the members the data plane's
 * problems have. Every status line has the status's RFC 9110 reason phrase ({@link StatusReasons}),
 * the one problem titles use.
 *
 * <p>Sits between the HTTP codec and the aggregator, so that the aggregator's own answers (a body
 * too large, an unknown expectation) get the id too. One per connection, on its event loop: the ids
 * of requests read and not yet answered wait in order (HTTP/1.1 answers in request order).
 */
final class AdminRequestIds extends ChannelDuplexHandler {

  static final String HEADER = "X-Request-Id";

  private record Pending(String id, String path) {}

  private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      String incoming = request.headers().get(HEADER);
      String id =
          incoming != null && RequestIds.isWellFormed(incoming) ? incoming : RequestIds.generate();
      String uri = request.uri();
      int query = uri.indexOf('?');
      pending.addLast(new Pending(id, query < 0 ? uri : uri.substring(0, query)));
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response
        && response.status().code() != HttpResponseStatus.CONTINUE.code()) {
      response.setStatus(StatusReasons.standard(response.status()));
      Pending p = pending.pollFirst();
      if (p != null) {
        response.headers().set(HEADER, p.id());
        if (response instanceof FullHttpResponse full) {
          msg = withProblemMembers(full, p);
        }
      }
    }
    ctx.write(msg, promise);
  }

  /**
   * The response with {@code instance} and {@code request_id} added to its problem body when it
   * lacks them (the original released), else the response itself.
   */
  private static FullHttpResponse withProblemMembers(FullHttpResponse response, Pending p) {
    String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
    if (type == null || !type.startsWith("application/problem+json")) {
      return response;
    }
    String body = response.content().toString(StandardCharsets.UTF_8);
    int end = body.lastIndexOf('}');
    if (end < 0 || body.contains("\"request_id\"")) {
      return response;
    }
    StringBuilder members = new StringBuilder(96);
    if (!body.contains("\"instance\"")) {
      members.append(",\"instance\":\"").append(quote(p.path())).append('"');
    }
    members.append(",\"request_id\":\"").append(quote(p.id())).append('"');
    String withId = body.substring(0, end) + members + body.substring(end);
    ByteBuf content = ByteBufUtil.writeUtf8(response.content().alloc(), withId);
    FullHttpResponse replaced = response.replace(content);
    response.release();
    if (HttpUtil.isContentLengthSet(replaced)) {
      HttpUtil.setContentLength(replaced, content.readableBytes());
    }
    return replaced;
  }

  private static String quote(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }
}
