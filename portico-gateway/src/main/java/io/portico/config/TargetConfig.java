package io.portico.config;

/** One upstream endpoint of a static service, with its weight for weighted round-robin. */
public record TargetConfig(String host, int port, int weight) {

  /** {@code host:port}. */
  public String authority() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
