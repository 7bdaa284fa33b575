package io.portico.proxy;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.IOException;
import javax.net.ssl.SSLException;

/** Which failures of a client connection are the client's doing. Stateless. */
final class ClientFaults {

  private ClientFaults() {}

  /**
   * Failures a client can cause (a reset, broken TLS records, a malformed HTTP/2 stream): logged at
   * debug, never as the gateway's own fault.
   */
  static boolean isClientFault(Throwable cause) {
    return cause instanceof IOException
        || cause instanceof Http2Exception
        || (cause instanceof DecoderException
            && (cause.getCause() instanceof SSLException
                || cause.getCause() instanceof Http2Exception));
  }
}
