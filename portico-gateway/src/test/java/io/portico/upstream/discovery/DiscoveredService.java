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
