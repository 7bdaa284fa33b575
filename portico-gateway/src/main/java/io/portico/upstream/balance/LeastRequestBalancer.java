package io.portico.upstream.balance;

import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Balancer;
import io.portico.upstream.Endpoint;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Least-request by the power of two choices: two endpoints drawn at random, the one with fewer
 * requests in flight per unit of weight wins. As good as scanning every endpoint in practice and
 * O(1) per pick, without herding onto the one idle endpoint that every event loop sees at once.
 *
 * <p>Thread-safe; a pick costs two random draws and two atomic reads, plus one increment.
 */
public class LeastRequestBalancer implements Balancer {

  final EndpointLoad load = new EndpointLoad();

  @Override
  public @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude) {
    int size = endpoints.size();
    if (size == 0) {
      return null;
    }
    load.track(endpoints);
    Endpoint chosen;
    if (size == 1) {
      chosen = endpoints.get(0);
    } else {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int a = random.nextInt(size);
      int b = random.nextInt(size - 1);
      if (b >= a) {
        b++;
      }
      Endpoint ea = endpoints.get(a);
      Endpoint eb = endpoints.get(b);
      if (ea.equals(exclude)) {
        chosen = eb;
      } else if (eb.equals(exclude)) {
        chosen = ea;
      } else {
        chosen = cost(ea) <= cost(eb) ? ea : eb;
      }
    }
    load.picked(chosen);
    return chosen;
  }

  /** Lower is better. */
  double cost(Endpoint e) {
    return (double) load.state(e).inFlight.get() / Math.max(1, e.weight());
  }

  @Override
  public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
    // A cancelled attempt says nothing of the endpoint's latency: only its count goes.
    load.ended(endpoint, outcome, latencyNanos);
  }
}
