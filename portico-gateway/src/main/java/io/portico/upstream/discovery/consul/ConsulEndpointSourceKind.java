package io.portico.upstream.discovery.consul;

import io.portico.config.DiscoveryKind;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.discovery.Registries;
import java.net.URI;
import java.time.Duration;

/**
 * {@code discovery: { kind: consul, service: users, tags: [ v2 ] }}: see {@link
 * ConsulEndpointSource}.
 */
public final class ConsulEndpointSourceKind implements EndpointSourceKind<ConsulSettings> {

  public static final String NAME = "consul";
  public static final String DEFAULT_ADDRESS = "http://127.0.0.1:8500";
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public ConsulSettings parse(ConfigReader service) {
    ConfigReader r = DiscoveryKind.settingsOf(service);
    URI address = httpUri(r, "address", DEFAULT_ADDRESS);
    String name = r.requiredString("service", "the name of a Consul service");
    String datacenter = r.string("datacenter", null);
    Duration blockFor =
        r.duration("wait", DEFAULT_WAIT, Duration.ofSeconds(1), Duration.ofMinutes(10));
    ConsulSettings settings =
        new ConsulSettings(
            address,
            name == null ? "" : name,
            r.strings("tags"),
            datacenter,
            blockFor == null ? DEFAULT_WAIT : blockFor,
            Registries.allowEmpty(r),
            Registries.limits(r));
    r.finish();
    return settings;
  }

  /** An {@code http://} or {@code https://} base URI with a host, read from {@code key}. */
  static URI httpUri(ConfigReader r, String key, String defaultValue) {
    String text = r.string(key, defaultValue);
    try {
      URI uri = new URI(text == null ? defaultValue : text);
      if ((uri.getScheme() != null
              && (uri.getScheme().equals("http") || uri.getScheme().equals("https")))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    ConfigNode node = r.child(key);
    if (node != null) {
      r.problems().expected(node, "an http:// or https:// URL such as " + defaultValue);
    }
    return URI.create(defaultValue);
  }

  @Override
  public EndpointSource create(ConsulSettings settings, Context context) {
    return new ConsulEndpointSource(context.service(), settings);
  }
}
