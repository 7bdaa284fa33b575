package io.portico.aggregate;

import io.portico.config.AggregateConfig;
import io.portico.config.BackendConfig;
import io.portico.upstream.UpstreamService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's aggregate compiled for one snapshot: its backends in config order (each with the
 * indexes of those it waits for), the deadline, the failure mode and the body cap. Immutable;
 * shared by every exchange of the snapshot, each of which runs it with its own {@link Aggregation}.
 */
public final class AggregatePlan {

  private final List<Backend> backends;
  private final long timeoutNanos;
  private final boolean strict;
  private final int maxBodySize;
  private final AggregateConfig config;
  private final Map<String, Integer> index;
  private final boolean[] awaited;
  private final boolean readsRequestBody;

  private AggregatePlan(
      AggregateConfig config, List<Backend> backends, Map<String, Integer> index) {
    this.config = config;
    this.backends = List.copyOf(backends);
    this.index = Map.copyOf(index);
    this.awaited = new boolean[backends.size()];
    boolean reads = false;
    for (Backend b : backends) {
      for (int i : b.after()) {
        awaited[i] = true;
      }
      reads |= b.readsRequestBody();
    }
    this.readsRequestBody = reads;
    this.timeoutNanos = config.timeout().toNanos();
    this.strict = config.failure() == AggregateConfig.FailureMode.STRICT;
    this.maxBodySize = (int) Math.min(Integer.MAX_VALUE, config.maxBodySize());
  }

  /**
   * Compiles a validated aggregate section against the snapshot's services (every name it uses is
   * one of them: the config parser checked).
   */
  public static AggregatePlan compile(
      AggregateConfig config, Map<String, UpstreamService> services) {
    Map<String, Integer> index = new HashMap<>();
    List<BackendConfig> configs = config.backends();
    for (int i = 0; i < configs.size(); i++) {
      index.put(configs.get(i).name(), i);
    }
    List<Backend> backends = new ArrayList<>(configs.size());
    for (BackendConfig b : configs) {
      int[] after = b.after().stream().mapToInt(index::get).toArray();
      UpstreamService service = services.get(b.service());
      if (service == null) {
        throw new IllegalArgumentException("backend " + b.name() + ": no service " + b.service());
      }
      backends.add(new Backend(b, service, after));
    }
    return new AggregatePlan(config, backends, index);
  }

  /** The index of the backend {@code name}, or -1. */
  int indexOf(String name) {
    Integer i = index.get(name);
    return i == null ? -1 : i;
  }

  /** Whether another backend waits for {@code b}, so its body is kept as received. */
  boolean awaited(Backend b) {
    int i = indexOf(b.name());
    return i >= 0 && awaited[i];
  }

  /**
   * Whether a backend's request reads the client's body ({@code ${body./POINTER}}): the exchange
   * then reads the body before it starts the aggregation.
   */
  public boolean readsRequestBody() {
    return readsRequestBody;
  }

  List<Backend> backends() {
    return backends;
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  boolean strict() {
    return strict;
  }

  int maxBodySize() {
    return maxBodySize;
  }

  public AggregateConfig config() {
    return config;
  }
}
