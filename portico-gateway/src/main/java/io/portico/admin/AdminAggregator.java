package io.portico.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The admin listener's request aggregator: Netty's, whose own answers (a bare 413 for a body over
 * the limit, a bare 417 for an expectation it does not know) are replaced by problems, so that
 * every error of the admin API is {@code application/problem+json}.
 *
 * <p>One per connection, on its event loop.
 */
final class AdminAggregator extends HttpObjectAggregator {

  AdminAggregator(int maxContentLength) {
    super(maxContentLength);
  }

  @Override
  protected @Nullable Object newContinueResponse(
      HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
    if (answer instanceof FullHttpResponse r
        && r.status().code() != HttpResponseStatus.CONTINUE.code()) {
      HttpResponseStatus status = r.status();
      ReferenceCountUtil.release(r);
      FullHttpResponse problem =
          status.code() == HttpResponseStatus.EXPECTATION_FAILED.code()
              ? AdminHandler.problem(
                  status,
                  "admin-expectation-failed",
                  "Expect: "
                      + start.headers().get(HttpHeaderNames.EXPECT)
                      + " (expected: 100-continue or none)")
              : tooLarge(maxContentLength);
      HttpUtil.setContentLength(problem, problem.content().readableBytes());
      problem.headers().set("X-Content-Type-Options", "nosniff");
      problem.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      return problem;
    }
    return answer;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    // The rest of the body may be on its way: answer and close, whatever the keep-alive.
    AdminHandler.send(ctx, tooLarge(maxContentLength()), false);
  }

  private static FullHttpResponse tooLarge(int maxContentLength) {
    return AdminHandler.problem(
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "admin-body-too-large",
        "The request body exceeds " + maxContentLength + " bytes.");
  }
}
