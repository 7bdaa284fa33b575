package io.portico.template;

import io.netty.util.NetUtil;
import io.portico.spi.plugin.Exchange;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * The client's address as plugins compare and write it: {@code ${client_ip}}, {@code
 * ip-restriction}, {@code echo}.
 */
public final class ClientAddresses {

  private ClientAddresses() {}

  /**
   * The client's IP address in its canonical text form ({@code 10.0.0.7}, {@code 2001:db8::1}), or
   * null when the gateway knows no address.
   */
  public static @Nullable String clientIp(Exchange exchange) {
    InetAddress address = clientAddress(exchange);
    if (address != null) {
      return NetUtil.toAddressString(address);
    }
    InetSocketAddress socket = exchange.clientAddress();
    return socket == null ? null : socket.getHostString();
  }

  /**
   * The client's IP address, with an IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.7}) turned into
   * the IPv4 address it carries; null when unknown or unresolved.
   */
  public static @Nullable InetAddress clientAddress(Exchange exchange) {
    InetSocketAddress socket = exchange.clientAddress();
    InetAddress address = socket == null ? null : socket.getAddress();
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      if (isIpv4Mapped(b)) {
        try {
          return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
          throw new AssertionError("four bytes are an IPv4 address", e);
        }
      }
    }
    return address;
  }

  private static boolean isIpv4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
  }
}
