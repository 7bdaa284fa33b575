package io.portico.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port free at the time of the call, for a test whose config must name the gateway's own
 * address before it starts (an OpenID Connect {@code redirect-uri}, say).
 */
public final class FreePort {

  private FreePort() {}

  public static int pick() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
