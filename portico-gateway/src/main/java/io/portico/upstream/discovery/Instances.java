package io.portico.upstream.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.portico.upstream.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads instances written as {@code {"host": "10.0.0.1", "port": 8080, "weight": 2}} (weight
 * optional, 1 by default), the form of the {@code file} and {@code etcd} kinds.
 */
public final class Instances {

  private Instances() {}

  /** An instance that could not be read: why, in the words of a config problem. */
  public static final class UnreadableInstance extends Exception {
    public UnreadableInstance(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The endpoint {@code node} describes.
   *
   * @param where where the instance was found, for the message ({@code "endpoints[2]"}, a key)
   * @throws UnreadableInstance when it is not such an object, or its host does not resolve
   */
  public static Endpoint read(JsonNode node, String where) throws UnreadableInstance {
    if (!node.isObject()) {
      throw new UnreadableInstance(
          where + ": " + node + " (expected: an object with host and port)");
    }
    JsonNode host = node.get("host");
    if (host == null || !host.isTextual() || host.asText().isBlank()) {
      throw new UnreadableInstance(
          where + ".host: " + host + " (expected: a host name or address)");
    }
    JsonNode port = node.get("port");
    if (port == null || !port.canConvertToInt() || !Registries.validPort(port.asLong())) {
      throw new UnreadableInstance(where + ".port: " + port + " (expected: a port 1-65535)");
    }
    JsonNode weight = node.get("weight");
    int w = 1;
    if (weight != null && !weight.isNull()) {
      if (!weight.canConvertToInt()
          || weight.asInt() < 1
          || weight.asInt() > Registries.MAX_WEIGHT
          || !weight.isIntegralNumber()) {
        throw new UnreadableInstance(
            where
                + ".weight: "
                + weight
                + " (expected: an integer 1-"
                + Registries.MAX_WEIGHT
                + ")");
      }
      w = weight.asInt();
    }
    Endpoint e = Registries.endpoint(host.asText(), port.asInt(), w);
    if (e == null) {
      throw new UnreadableInstance(
          where + ".host: \"" + host.asText() + "\" (expected: a resolvable host name)");
    }
    return e;
  }

  /** Every instance of a list, in order; the first unreadable one makes the whole list so. */
  public static List<Endpoint> readAll(JsonNode list, String where) throws UnreadableInstance {
    if (!list.isArray()) {
      throw new UnreadableInstance(where + ": " + list.getNodeType() + " (expected: a list)");
    }
    List<Endpoint> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(read(list.get(i), where + "[" + i + "]"));
    }
    return out;
  }
}
