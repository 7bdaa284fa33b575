package io.portico.upstream.discovery.etcd;

import io.portico.config.DiscoveryKind;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.discovery.Registries;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** {@code discovery: { kind: etcd, prefix: /services/users/ }}: see {@link EtcdEndpointSource}. */
public final class EtcdEndpointSourceKind implements EndpointSourceKind<EtcdSettings> {

  public static final String NAME = "etcd";
  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public EtcdSettings parse(ConfigReader service) {
    ConfigReader r = DiscoveryKind.settingsOf(service);
    List<URI> endpoints = new ArrayList<>();
    for (ConfigNode node : r.list("endpoints")) {
      URI uri = httpUri(node.text());
      if (uri == null) {
        r.problems().expected(node, "an http:// or https:// URL such as " + DEFAULT_ENDPOINT);
      } else {
        endpoints.add(uri);
      }
    }
    if (endpoints.isEmpty()) {
      endpoints.add(URI.create(DEFAULT_ENDPOINT));
    }
    String prefix = r.requiredString("prefix", "a key prefix such as /services/users/");
    if (prefix != null && prefix.isEmpty()) {
      ConfigNode node = r.child("prefix");
      if (node != null) {
        r.problems().expected(node, "a key prefix such as /services/users/");
      }
    }
    EtcdSettings settings =
        new EtcdSettings(
            endpoints,
            prefix == null ? "" : prefix,
            Registries.allowEmpty(r),
            Registries.limits(r));
    r.finish();
    return settings;
  }

  private static @org.jspecify.annotations.Nullable URI httpUri(
      @org.jspecify.annotations.Nullable String text) {
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
              && uri.getHost() != null
          ? uri
          : null;
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  @Override
  public EndpointSource create(EtcdSettings settings, Context context) {
    return new EtcdEndpointSource(context.service(), settings);
  }
}
