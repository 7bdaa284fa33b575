package io.portico.config;

import io.portico.router.RoutePatterns;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code listeners} section into {@link ListenerConfig}s: each listener's
 * address, name (unique; {@code http-<port>} or {@code https-<port>} when absent), HTTP/2 and TLS
 * (certificates chosen by SNI, protocols, client authentication). Without the section, one plain
 * listener on {@link ConfigParser#DEFAULT_LISTENER}.
 */
final class ListenersSection {

  private final SectionReaders in;
  private final Problems problems;

  ListenersSection(SectionReaders in) {
    this.in = in;
    this.problems = in.problems;
  }

  List<ListenerConfig> parse(ConfigReader top) {
    ConfigNode node = top.child("listeners");
    if (node == null) {
      return List.of(new ListenerConfig("http-8080", ConfigParser.DEFAULT_LISTENER, null, true));
    }
    List<ConfigNode> items = in.listOf(node, "a list of listeners");
    if (node.isList() && items.isEmpty()) {
      problems.expected(node, "at least one listener");
    }
    List<ListenerConfig> out = new ArrayList<>();
    Map<String, ConfigNode> names = new HashMap<>();
    Map<InetSocketAddress, ConfigNode> addresses = new HashMap<>();
    for (ConfigNode item : items) {
      ConfigReader r = ConfigReader.of(item, problems);
      ConfigNode addressNode = r.required("address", Addresses.BIND_RULE);
      InetSocketAddress address = addressNode == null ? null : in.bindAddress(addressNode);
      ConfigNode tlsNode = r.child("tls");
      TlsConfig tls = tlsNode != null ? tls(ConfigReader.of(tlsNode, problems)) : null;
      boolean http2 = r.bool("http2", true);
      ConfigNode nameNode = r.child("name");
      if (nameNode != null) {
        in.unique(names, in.name(nameNode), nameNode, "listener");
      }
      String name = nameNode != null ? nameNode.text() : defaultName(names, tls, address, item);
      if (addressNode != null && address != null && address.getPort() != 0) {
        ConfigNode first = addresses.putIfAbsent(address, addressNode);
        if (first != null) {
          problems.expected(
              addressNode, "an address not used by another listener; " + first.path() + " has it");
        }
      }
      r.finish();
      if (name != null && address != null) { // else reported above
        out.add(new ListenerConfig(name, address, tls, http2));
      }
    }
    return List.copyOf(out);
  }

  /** {@code http-<port>} or {@code https-<port>}, suffixed {@code -2}, {@code -3}... if taken. */
  String defaultName(
      Map<String, ConfigNode> names,
      @Nullable TlsConfig tls,
      @Nullable InetSocketAddress address,
      ConfigNode item) {
    String base = (tls == null ? "http-" : "https-") + (address == null ? 0 : address.getPort());
    String name = base;
    for (int n = 2; names.containsKey(name); n++) {
      name = base + "-" + n;
    }
    names.put(name, item);
    return name;
  }

  TlsConfig tls(ConfigReader r) {
    List<TlsConfig.Certificate> certificates = new ArrayList<>();
    ConfigNode list = r.required("certificates", "a list of {cert, key, server-names}");
    if (list != null) {
      List<ConfigNode> items = in.listOf(list, "a list of {cert, key, server-names}");
      if (list.isList() && items.isEmpty()) {
        problems.expected(list, "at least one certificate");
      }
      for (ConfigNode item : items) {
        ConfigReader c = ConfigReader.of(item, problems);
        ConfigNode certNode = c.required("cert", "a PEM certificate chain file");
        ConfigNode keyNode = c.required("key", "a PEM private key file");
        Path cert =
            in.readableFile(
                certNode,
                certNode != null && certNode.isScalar() && keyNode != null && keyNode.isScalar()
                    ? "; to try TLS with a self-signed one: openssl req -x509 -newkey rsa:2048"
                        + " -nodes -days 30 -subj /CN=localhost -addext"
                        + " subjectAltName=DNS:localhost -keyout "
                        + keyNode.scalarText()
                        + " -out "
                        + certNode.scalarText()
                        + " (docs/tls-and-http2.md)"
                    : "");
        Path key = in.readableFile(keyNode);
        List<String> serverNames = new ArrayList<>();
        for (ConfigNode name : in.stringItems(c, "server-names")) {
          if (in.checked(name, RoutePatterns.checkHost(name.scalarText()))) {
            serverNames.add(name.scalarText().toLowerCase(Locale.ROOT));
          }
        }
        c.finish();
        if (cert != null && key != null) { // else reported by readableFile or required
          certificates.add(new TlsConfig.Certificate(List.copyOf(serverNames), cert, key));
        }
      }
    }
    List<String> protocols = new ArrayList<>();
    if (r.has("protocols")) {
      for (ConfigNode p : in.stringItems(r, "protocols")) {
        if (ConfigParser.TLS_PROTOCOLS.contains(p.text())) {
          protocols.add(p.text());
        } else {
          problems.expected(p, "one of " + String.join(", ", ConfigParser.TLS_PROTOCOLS));
        }
      }
    } else {
      protocols.addAll(ConfigParser.TLS_PROTOCOLS);
    }
    String clientAuth = r.oneOf("client-auth", "none", List.of("none", "optional", "require"));
    Path clientCa = null;
    if (!clientAuth.equals("none")) {
      clientCa = in.readableFile(r.required("client-ca", "a PEM file of client certificate CAs"));
    } else if (r.has("client-ca")) {
      SectionReaders.at(
          r,
          "client-ca",
          "client-ca without client-auth (expected: client-auth: optional or require)");
    }
    r.finish();
    return new TlsConfig(
        List.copyOf(certificates),
        List.copyOf(protocols),
        TlsConfig.ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT)),
        clientCa);
  }
}
