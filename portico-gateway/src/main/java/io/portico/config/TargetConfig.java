package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.util.ArrayList;
import java.util.List;

/**
 * One upstream endpoint of a static service, with its weight for weighted round-robin.
 *
 * @param tls whether the target was written {@code https://host:port}
 */
public record TargetConfig(String host, int port, int weight, boolean tls) {

  /** A target written without a scheme (or {@code http://}). */
  public TargetConfig(String host, int port, int weight) {
    this(host, port, weight, false);
  }

  private static final String HTTPS = "https://";
  private static final String HTTP = "http://";

  /** {@code host:port}. */
  public String authority() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }

  /**
   * Reads a service's required {@code targets}: {@code host:port} strings or {@code {target,
   * weight}} objects, at least one. Problems go to the reader; malformed targets are left out.
   */
  public static List<TargetConfig> readAll(ConfigReader service) {
    Problems problems = service.problems();
    String rule = "a list of host:port targets";
    ConfigNode url = service.node().fields().get("url");
    if (url != null && url.isScalar() && !service.node().fields().containsKey("targets")) {
      // Kong writes a service as url: http://host:port/path; say how that reads here.
      rule +=
          "; a url is written targets: [ \"http://host:port\" ] (https:// for TLS), and a path"
              + " prefix as the routes' rewrite-path";
    }
    ConfigNode node = service.required("targets", rule);
    if (node == null) {
      return List.of();
    }
    if (!node.isList()) {
      problems.expected(node, "a list of host:port targets");
      return List.of();
    }
    List<ConfigNode> items = node.items();
    if (items.isEmpty()) {
      problems.expected(node, "at least one host:port target");
    }
    List<TargetConfig> out = new ArrayList<>();
    for (ConfigNode item : items) {
      ConfigNode address = item;
      int weight = 1;
      if (item.isObject()) {
        ConfigReader t = ConfigReader.of(item, problems);
        address = t.required("target", Addresses.TARGET_RULE);
        weight = t.integer("weight", 1, 1, 1000);
        t.finish();
      }
      if (address == null) {
        continue;
      }
      String text = address.isScalar() ? address.scalarText().trim() : null;
      boolean tls = text != null && text.startsWith(HTTPS);
      if (text != null && (tls || text.startsWith(HTTP))) {
        text = text.substring(tls ? HTTPS.length() : HTTP.length());
      }
      Addresses.Target hp = text != null ? Addresses.target(text) : null;
      if (hp == null) {
        String expected = item.isObject() ? Addresses.TARGET_RULE : "a " + Addresses.TARGET_RULE;
        problems.expected(
            address,
            expected
                + (text == null
                    ? ""
                    : pathHint(address.scalarText().trim(), text) + Addresses.variableHint(text)));
        continue;
      }
      out.add(new TargetConfig(hp.host(), hp.port(), weight, tls));
    }
    return List.copyOf(out);
  }

  /**
   * For a target written with a path ({@code http://api:8080/v1}): the path of a target is not
   * sent, so say how to write the target and where a path prefix goes. Empty for any other text.
   */
  private static String pathHint(String written, String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || Addresses.target(text.substring(0, slash)) == null) {
      return "";
    }
    String path = text.substring(slash);
    String target = written.substring(0, written.length() - path.length());
    if (path.equals("/")) {
      return "; a target has no path: write \"" + target + "\"";
    }
    return "; a target's path is not used: write \""
        + target
        + "\" and the path sent upstream in the routes' rewrite-path, such as "
        + path.replaceAll("/+$", "")
        + "/users/{id} for the route path /users/{id}";
  }
}
