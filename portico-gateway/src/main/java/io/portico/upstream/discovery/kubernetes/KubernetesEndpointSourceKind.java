package io.portico.upstream.discovery.kubernetes;

import io.portico.config.DiscoveryKind;
import io.portico.spi.config.ConfigReader;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.discovery.Registries;

/**
 * {@code discovery: { kind: kubernetes, service: users, namespace: shop, port: http }}: see {@link
 * KubernetesEndpointSource}.
 */
public final class KubernetesEndpointSourceKind implements EndpointSourceKind<KubernetesSettings> {

  public static final String NAME = "kubernetes";
  public static final String DEFAULT_NAMESPACE = "default";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public KubernetesSettings parse(ConfigReader service) {
    ConfigReader r = DiscoveryKind.settingsOf(service);
    String name = r.requiredString("service", "the name of a Kubernetes Service");
    String namespace = r.string("namespace", DEFAULT_NAMESPACE);
    String port = r.string("port", null);
    String apiServer = r.string("api-server", null);
    if (apiServer != null
        && !(apiServer.startsWith("https://") || apiServer.startsWith("http://"))) {
      var node = r.child("api-server");
      if (node != null) {
        r.problems().expected(node, "an https:// URL of the Kubernetes API server");
      }
    }
    KubernetesSettings settings =
        new KubernetesSettings(
            name == null ? "" : name,
            namespace == null ? DEFAULT_NAMESPACE : namespace,
            port,
            apiServer,
            Registries.allowEmpty(r),
            Registries.limits(r));
    r.finish();
    return settings;
  }

  @Override
  public EndpointSource create(KubernetesSettings settings, Context context) {
    return new KubernetesEndpointSource(context.service(), settings);
  }
}
