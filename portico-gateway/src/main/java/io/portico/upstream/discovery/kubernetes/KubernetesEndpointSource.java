package io.portico.upstream.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.portico.upstream.Endpoint;
import io.portico.upstream.discovery.Registries;
import io.portico.upstream.discovery.RegistrySource;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The ready endpoints of a Kubernetes Service: its EndpointSlices (label {@code
 * kubernetes.io/service-name}), watched by a fabric8 informer, which lists, watches, and lists and
 * watches again after any failure by itself.
 *
 * <pre>
 *   informer: list + watch EndpointSlices ─▶ add / update / delete ─▶ endpoints of every slice
 *                                                                      ─▶ answer(list)
 *   timer, every second: is the informer watching? no ─▶ unreachable (the last list stays)
 * </pre>
 *
 * <p>An endpoint counts when its {@code ready} condition is not false; its port is the slice's port
 * named {@code port} (or the slice's only port when none is named). Addresses are IP literals.
 *
 * <p>Threading: the informer calls its handler on its own thread; the health check runs on the
 * source's timer thread.
 */
final class KubernetesEndpointSource extends RegistrySource {

  static final String SERVICE_LABEL = "kubernetes.io/service-name";
  private static final Duration CHECK = Duration.ofSeconds(1);

  private final KubernetesSettings settings;
  private @Nullable KubernetesClient client;
  private @Nullable SharedIndexInformer<EndpointSlice> informer;

  KubernetesEndpointSource(String service, KubernetesSettings settings) {
    super(
        "kubernetes " + settings.namespace() + "/" + settings.service() + " (" + service + ")",
        settings.allowEmpty(),
        settings.limits());
    this.settings = settings;
  }

  @Override
  protected void watch() {
    try {
      Config config =
          settings.apiServer() == null
              ? Config.autoConfigure(null)
              : new ConfigBuilder(Config.empty())
                  .withMasterUrl(settings.apiServer())
                  .withRequestTimeout(5_000)
                  .withConnectionTimeout(5_000)
                  .build();
      KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
      client = c;
      SharedIndexInformer<EndpointSlice> i =
          c.discovery()
              .v1()
              .endpointSlices()
              .inNamespace(settings.namespace())
              .withLabel(SERVICE_LABEL, settings.service())
              .runnableInformer(0);
      i.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice obj) {
              refresh();
            }

            @Override
            public void onUpdate(EndpointSlice oldObj, EndpointSlice newObj) {
              refresh();
            }

            @Override
            public void onDelete(EndpointSlice obj, boolean deletedFinalStateUnknown) {
              refresh();
            }
          });
      informer = i;
      i.start()
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  unreachable("the Kubernetes API: " + error.getMessage());
                } else {
                  refresh();
                }
              });
    } catch (RuntimeException e) {
      unreachable("the Kubernetes client: " + e.getMessage());
    }
    schedule(this::check, CHECK);
  }

  private void check() {
    SharedIndexInformer<EndpointSlice> i = informer;
    if (i != null && !i.isWatching()) {
      unreachable("the watch on the Kubernetes API is down; reconnecting");
    } else if (i != null && endpoints().isEmpty() == false && status().state() == State.STALE) {
      refresh();
    }
    schedule(this::check, CHECK);
  }

  private void refresh() {
    SharedIndexInformer<EndpointSlice> i = informer;
    if (i == null || !i.hasSynced()) {
      return;
    }
    List<Endpoint> out = new ArrayList<>();
    for (EndpointSlice slice : i.getStore().list()) {
      Integer port = port(slice);
      if (port == null || slice.getEndpoints() == null) {
        continue;
      }
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
        EndpointConditions conditions = e.getConditions();
        if (conditions != null && Boolean.FALSE.equals(conditions.getReady())) {
          continue;
        }
        for (String address : e.getAddresses()) {
          Endpoint endpoint = endpoint(address, port);
          if (endpoint != null && !out.contains(endpoint)) {
            out.add(endpoint);
          }
        }
      }
    }
    answer(out);
  }

  private @Nullable Integer port(EndpointSlice slice) {
    List<EndpointPort> ports = slice.getPorts();
    if (ports == null || ports.isEmpty()) {
      return null;
    }
    if (settings.port() == null) {
      return ports.size() == 1 ? ports.get(0).getPort() : null;
    }
    for (EndpointPort p : ports) {
      if (settings.port().equals(p.getName())) {
        return p.getPort();
      }
    }
    return null;
  }

  private static @Nullable Endpoint endpoint(String ip, @Nullable Integer port) {
    byte[] bytes = io.netty.util.NetUtil.createByteArrayFromIpAddressString(ip);
    if (bytes == null || port == null || !Registries.validPort(port)) {
      return null;
    }
    try {
      InetAddress address = InetAddress.getByAddress(bytes);
      return new Endpoint(new InetSocketAddress(address, port), Registries.authority(ip, port), 1);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  protected void stopWatching() {
    SharedIndexInformer<EndpointSlice> i = informer;
    if (i != null) {
      i.stop();
    }
    KubernetesClient c = client;
    if (c != null) {
      c.close();
    }
  }
}
