package io.portico.upstream.h2;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.portico.upstream.KeptHeaders;

/**
 * A response head as an upstream HTTP/2 connection makes it from a HEADERS frame, which knows its
 * connection's frames so that it can be given back to them ({@link #recycle}): the message and its
 * header map (a {@link KeptHeaders}, with Netty's validation) are then made once per connection
 * instead of once per response, as {@code UpstreamCodec}'s responses over HTTP/1.1. The ownership
 * rule is theirs: a response belongs to the exchange it answers, which gives it back only when
 * nothing can still read it ({@code ConnectionReuse.giveBack}); any other response is left to the
 * garbage collector. One spare per connection; used on its event loop only.
 */
public final class H2Response extends DefaultHttpResponse {

  private final H2StreamFrames frames;

  H2Response(H2StreamFrames frames, HttpResponseStatus status) {
    super(HttpVersion.HTTP_1_1, status, KeptHeaders.of(DefaultHttpHeadersFactory.headersFactory()));
    this.frames = frames;
  }

  /**
   * Gives {@code response} back to the connection that made it, when it is one of an upstream
   * HTTP/2 connection and this runs on that connection's event loop; otherwise does nothing.
   */
  public static void recycle(HttpResponse response) {
    if (response instanceof H2Response made && made.frames.onItsEventLoop()) {
      made.frames.giveBack(made);
    }
  }
}
