package io.portico.proxy;

import io.netty.channel.Channel;
import io.portico.forwarding.ForwardingPolicy;
import java.net.InetSocketAddress;

/**
 * What the exchanges of one client connection know of its ends: the client's address, as text, and
 * the forwarding facts made from them. Made once per connection; the streams of an HTTP/2
 * connection share their connection's ({@link Http2ClientConnection#peer}), so a stream costs none
 * of these strings.
 *
 * @param address the client's address (port 0 when the channel has no IP address)
 * @param text the client's IP address as text, or {@code unknown}
 * @param facts the forwarding facts of the connection (confined to its event loop)
 */
record ClientPeer(InetSocketAddress address, String text, ForwardingPolicy.ConnectionFacts facts) {

  static ClientPeer of(Channel channel, boolean secure, boolean http2) {
    InetSocketAddress peer =
        channel.remoteAddress() instanceof InetSocketAddress remote
            ? remote
            : new InetSocketAddress(0);
    String text = peer.getAddress() == null ? "unknown" : peer.getAddress().getHostAddress();
    int localPort = channel.localAddress() instanceof InetSocketAddress local ? local.getPort() : 0;
    return new ClientPeer(
        peer, text, new ForwardingPolicy.ConnectionFacts(text, localPort, secure, http2));
  }
}
