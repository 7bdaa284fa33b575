package io.portico.upstream.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import io.portico.upstream.EndpointSource;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;

/**
 * What the discovery tests look at in a running gateway: the endpoint source of one service, the
 * origins that answer its requests (each origin answers with its own name), and the service's entry
 * in the admin {@code /status}.
 */
public final class DiscoveredService {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayFixture gw;
  private final String name;

  public DiscoveredService(GatewayFixture gw, String name) {
    this.gw = gw;
    this.name = name;
  }

  /**
   * Starts a gateway with an admin listener and the service {@code users}, to which every path
   * routes. {@code entry} is the rest of that service's YAML entry, unindented: its {@code
   * discovery:}, and a {@code retry:} or {@code pool:} when the test needs one. The caller owns the
   * gateway ({@link #gateway()}) and closes it before the registry and the origins it points at.
   */
  public static DiscoveredService startUsers(String entry) throws Exception {
    GatewayFixture gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
            services:
              - name: users
            """
                + entry.indent(4)
                + """
                routes:
                  - name: all
                    paths: [ "/" ]
                    service: users
                """);
    return new DiscoveredService(gw, "users");
  }

  /** The gateway this service runs in. */
  public GatewayFixture gateway() {
    return gw;
  }

  /** The service's endpoint source in the gateway's current snapshot. */
  public EndpointSource source() {
    return gw.gateway().snapshot().services().get(name).source();
  }

  /** Sends {@code requests} GETs of {@code /hello}, each expected to succeed; the bodies seen. */
  public Set<String> bodies(int requests) throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = gw.get("/hello");
      assertThat(r.statusCode()).isEqualTo(200);
      seen.add(r.body());
    }
    return seen;
  }

  /** The service's member of the admin {@code /status} answer's {@code services}. */
  public JsonNode status() throws Exception {
    return JSON.readTree(gw.admin("/status").body()).path("services").path(name);
  }
}
