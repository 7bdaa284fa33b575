package io.portico.upstream.discovery;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/**
 * The IPv4 address an IPv6 address carries, so that the {@link AddressFilter} judges {@code
 * ::ffff:127.0.0.1} as the loopback address it reaches and not as some IPv6 address outside every
 * built-in refusal.
 *
 * <p>The forms recognised, each with the IPv4 address in the bytes named:
 *
 * <ul>
 *   <li>IPv4-mapped {@code ::ffff:0:0/96}, bytes 12 to 15;
 *   <li>IPv4-translated {@code ::ffff:0:0:0/96} (RFC 2765), bytes 12 to 15;
 *   <li>IPv4-compatible {@code ::/96} (deprecated, but still routed to the IPv4 host by some
 *       stacks), bytes 12 to 15, except {@code ::} and {@code ::1} which are IPv6's own unspecified
 *       and loopback addresses;
 *   <li>NAT64 well-known prefix {@code 64:ff9b::/96} (RFC 6052), bytes 12 to 15;
 *   <li>NAT64 local-use prefix {@code 64:ff9b:1::/48} (RFC 8215) used as a {@code /96}, bytes 6 to
 *       11 zero, bytes 12 to 15;
 *   <li>6to4 {@code 2002::/16} (RFC 3056), bytes 2 to 5;
 *   <li>Teredo {@code 2001::/32} (RFC 4380): the client's public IPv4 address, which a Teredo relay
 *       sends to, is bytes 12 to 15 with every bit inverted.
 * </ul>
 *
 * <p>A local-use NAT64 prefix shorter than {@code /96} puts the IPv4 address around the {@code u}
 * octet at a place only the network's own translator knows, so such an address is judged as the
 * IPv6 address it is; discovery.md tells operators to list their own prefix in {@code
 * denied-networks}.
 *
 * <p>Stateless.
 */
final class EmbeddedIpv4 {

  private EmbeddedIpv4() {}

  /**
   * {@code address} with the IPv4 address it embeds in place of its IPv6 address, or {@code
   * address} itself when it embeds none (or is unresolved).
   */
  static InetSocketAddress judged(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (!(ip instanceof Inet6Address)) {
      return address;
    }
    byte[] v4 = embedded(ip.getAddress());
    if (v4 == null) {
      return address;
    }
    try {
      return new InetSocketAddress(Inet4Address.getByAddress(v4), address.getPort());
    } catch (UnknownHostException impossible) {
      return address;
    }
  }

  /** The four bytes of the IPv4 address the 16 bytes {@code b} embed, or null. */
  static byte @Nullable [] embedded(byte[] b) {
    if (b.length != 16) {
      return null;
    }
    if (b[0] == 0x20 && b[1] == 0x02) {
      return new byte[] {b[2], b[3], b[4], b[5]};
    }
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
      return new byte[] {(byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]};
    }
    boolean zeroTen = true;
    for (int i = 0; i < 10; i++) {
      zeroTen &= b[i] == 0;
    }
    boolean mapped = zeroTen && b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    boolean translated =
        b[8] == (byte) 0xff && b[9] == (byte) 0xff && b[10] == 0 && b[11] == 0 && zeroEight(b);
    boolean compatible = zeroTen && b[10] == 0 && b[11] == 0 && !ownIpv6(b);
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xff && b[3] == (byte) 0x9b;
    boolean localUse = nat64 && b[4] == 0 && b[5] == 1;
    for (int i = localUse ? 6 : 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    if (mapped || translated || compatible || nat64) {
      return new byte[] {b[12], b[13], b[14], b[15]};
    }
    return null;
  }

  private static boolean zeroEight(byte[] b) {
    for (int i = 0; i < 8; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether the IPv4-compatible-looking {@code b} is {@code ::} or {@code ::1}. */
  private static boolean ownIpv6(byte[] b) {
    return b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1);
  }
}
