package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code admin} section into an {@link AdminConfig}: the admin listener's
 * address (not a proxy listener's; loopback unless a token guards it), the plain token and the
 * hashed {@code tokens} with their roles, the object store and its history, the allowed hosts, how
 * long a rotated key-auth key keeps working ({@code key-rotation-grace}).
 */
final class AdminSection {

  private final SectionReaders in;
  private final Problems problems;
  private static final Pattern TOKEN_HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");

  AdminSection(SectionReaders in) {
    this.in = in;
    this.problems = in.problems;
  }

  AdminConfig parse(ConfigReader top, List<ListenerConfig> listeners) {
    ConfigNode node = top.child("admin");
    if (node == null) {
      return new AdminConfig(
          ConfigParser.DEFAULT_ADMIN,
          null,
          List.of(),
          List.of(),
          in.baseDir.resolve(ConfigParser.DEFAULT_ADMIN_STORE),
          AdminConfig.DEFAULT_HISTORY);
    }
    if (in.isOff(node)) {
      return new AdminConfig(
          null,
          null,
          List.of(),
          List.of(),
          in.baseDir.resolve(ConfigParser.DEFAULT_ADMIN_STORE),
          AdminConfig.DEFAULT_HISTORY);
    }
    ConfigReader r = ConfigReader.of(node, problems);
    InetSocketAddress address = ConfigParser.DEFAULT_ADMIN;
    ConfigNode addressNode = r.child("address");
    if (addressNode != null) {
      address = in.isOff(addressNode) ? null : in.bindAddress(addressNode);
    }
    for (ListenerConfig listener : listeners) {
      if (address != null && address.getPort() != 0 && address.equals(listener.address())) {
        r.expected(
            "address",
            "an address not used by a listener; listener " + listener.name() + " has it");
      }
    }
    String token = r.string("token", null);
    List<AdminConfig.Token> tokens = adminTokens(r, token);
    if (token != null && token.isEmpty()) {
      r.expected("token", "a non-empty token");
    } else if (address != null
        && !address.getAddress().isLoopbackAddress()
        && token == null
        && tokens.isEmpty()) {
      r.expected(
          "address",
          "a loopback address such as 127.0.0.1:9901, or a token in admin.token or"
              + " admin.tokens");
    }
    Path store = in.baseDir.resolve(ConfigParser.DEFAULT_ADMIN_STORE);
    ConfigNode storeNode = r.child("store");
    if (storeNode != null) {
      if (in.isOff(storeNode)) {
        store = null;
      } else if (!storeNode.isScalar() || storeNode.scalarText().isEmpty()) {
        problems.expected(storeNode, "a directory, or off");
      } else {
        store = in.baseDir.resolve(storeNode.scalarText());
        if (Files.exists(store) && !Files.isDirectory(store)) {
          problems.expected(storeNode, "a directory (it is a file)");
        }
      }
    }
    int history = r.integer("history", AdminConfig.DEFAULT_HISTORY, 1, 100_000);
    ConsoleConfig console = ConsoleSection.parse(r.child("console"), r);
    Duration keyRotationGrace =
        r.duration("key-rotation-grace", AdminConfig.DEFAULT_KEY_ROTATION_GRACE);
    List<String> allowedHosts = new ArrayList<>();
    for (ConfigNode host : in.stringItems(r, "allowed-hosts")) {
      String name = Addresses.hostName(host.scalarText());
      if (name == null) {
        problems.expected(host, Addresses.HOST_RULE);
      } else {
        allowedHosts.add(name);
      }
    }
    r.finish();
    return new AdminConfig(
        address,
        token == null || token.isEmpty() ? null : token,
        List.copyOf(allowedHosts),
        tokens,
        store,
        history,
        console,
        keyRotationGrace);
  }

  /**
   * {@code admin.tokens}: each {name, hash, role}; names unique, {@code admin} taken by {@code
   * admin.token} when that is set.
   */
  List<AdminConfig.Token> adminTokens(ConfigReader admin, @Nullable String plainToken) {
    List<AdminConfig.Token> out = new ArrayList<>();
    Map<String, ConfigNode> names = new HashMap<>();
    for (ConfigNode item : in.listOf(admin.child("tokens"), "a list of {name, hash, role}")) {
      ConfigReader t = ConfigReader.of(item, problems);
      ConfigNode nameNode = t.required("name", ConfigParser.NAME_RULE);
      String name = nameNode == null ? null : in.name(nameNode);
      if (nameNode != null && name != null) {
        if (plainToken != null && name.equals(ConfigParser.ADMIN_TOKEN_NAME)) {
          problems.expected(nameNode, "a name other than admin, which admin.token has");
        }
        in.unique(names, name, nameNode, "admin token");
      }
      ConfigNode hashNode = t.required("hash", ConfigParser.TOKEN_HASH_RULE);
      String hash = null;
      if (hashNode != null) {
        if (hashNode.isScalar() && TOKEN_HASH.matcher(hashNode.text()).matches()) {
          hash = hashNode.scalarText().toLowerCase(Locale.ROOT);
        } else {
          problems.expected(hashNode, ConfigParser.TOKEN_HASH_RULE);
        }
      }
      String role = t.oneOf("role", "read-only", List.of("read-only", "read-write"));
      t.finish();
      if (name != null && hash != null) {
        out.add(
            new AdminConfig.Token(
                name,
                hash,
                role.equals("read-write")
                    ? AdminConfig.Role.READ_WRITE
                    : AdminConfig.Role.READ_ONLY));
      }
    }
    return List.copyOf(out);
  }
}
