package io.portico.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Set;

/**
 * In front of the {@link AdminHandler} of the portal's own listener ({@code portal.address}): lets
 * through only the portal's pages ({@code /portal}), its API ({@code /portal/api/...}) and the
 * account calls a developer needs (sign in, sign out, who am I, change password); every other path
 * answers 404 before any check of the admin API runs, so the configuration, the objects, the
 * console and the admin tokens' endpoints are not reachable on that listener at all, whatever
 * credential a request carries. Runs on the channel's event loop; stateless and shareable.
 */
@io.netty.channel.ChannelHandler.Sharable
final class PortalGate extends ChannelInboundHandlerAdapter {

  /** The account endpoints served on the portal's listener. */
  private static final Set<String> ACCOUNT_PATHS =
      Set.of("/auth/sign-in", "/auth/sign-out", "/auth/me", "/auth/password");

  static final PortalGate INSTANCE = new PortalGate();

  private PortalGate() {}

  /** Whether the portal's listener serves {@code path}. */
  static boolean serves(String path) {
    return path.equals("/portal") || path.startsWith("/portal/") || ACCOUNT_PATHS.contains(path);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FullHttpRequest req
        && req.decoderResult().isSuccess()
        && req.uri().startsWith("/")
        && !serves(new QueryStringDecoder(req.uri()).path())) {
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      req.release();
      AdminHandler.send(
          ctx,
          AdminHandler.problem(
              HttpResponseStatus.NOT_FOUND,
              "portal-not-found",
              "This listener serves only the developer portal under /portal."),
          keepAlive);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
