package io.portico.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks the compiled router against a plain linear scan that applies the documented rules one
 * route at a time, over many random routes that overlap on purpose.
 */
class RouterScaleTest {

  private static final String[] HOSTS = {
    "a.example.com", "*.example.com", "*.eu.example.com", "b.example.com"
  };
  private static final String[] REQUEST_HOSTS = {
    "a.example.com", "A.EXAMPLE.com:8443", "x.eu.example.com", "b.example.com", "other.org", null
  };
  private static final String[] WORDS = {"api", "v1", "users", "items", "orders", "x"};

  @Test
  void tenThousandRoutesAgreeWithALinearScanOfTheRules() {
    Random random = new Random(20240611L);
    List<RouteSpec> specs = new ArrayList<>();
    Router.Builder<RouteSpec> builder = Router.builder();
    for (int i = 0; i < 10_000; i++) {
      RouteSpec spec = randomSpec(random, i);
      specs.add(spec);
      builder.add(spec, spec);
    }
    Router<RouteSpec> router = builder.build();

    int matched = 0;
    for (int i = 0; i < 2_000; i++) {
      String host = REQUEST_HOSTS[random.nextInt(REQUEST_HOSTS.length)];
      String method = random.nextInt(4) == 0 ? "POST" : "GET";
      String path = randomPath(random);

      Found expected = linearScan(specs, host, method, path);
      RouteMatch<RouteSpec> actual = router.match(host, method, path, null, null);

      String request = host + " " + method + " " + path;
      if (expected == null) {
        assertThat(actual).as(request).isNull();
      } else {
        matched++;
        assertThat(actual).as(request).isNotNull();
        assertThat(actual.spec().name()).as(request).isEqualTo(expected.spec.name());
        assertThat(actual.pattern()).as(request).isEqualTo(expected.pattern);
        assertThat(actual.pathParameters()).as(request).isEqualTo(expected.parameters);
      }
    }
    assertThat(matched).as("requests that matched some route").isGreaterThan(600);
  }

  private static RouteSpec randomSpec(Random random, int i) {
    RouteSpec.Builder builder = RouteSpec.builder("r" + i).order(random.nextInt(50));
    int hosts = random.nextInt(3);
    for (int h = 0; h < hosts; h++) {
      builder.hosts(HOSTS[random.nextInt(HOSTS.length)]);
    }
    int paths = 1 + random.nextInt(2);
    for (int p = 0; p < paths; p++) {
      builder.paths(randomPattern(random));
    }
    if (random.nextInt(3) == 0) {
      builder.exact();
    }
    if (random.nextInt(5) == 0) {
      builder.methods("GET");
    }
    if (random.nextInt(20) == 0) {
      builder.priority(1);
    }
    return builder.build();
  }

  private static String randomPattern(Random random) {
    StringBuilder pattern = new StringBuilder();
    pattern.append("/svc").append(random.nextInt(300));
    int segments = random.nextInt(4);
    for (int s = 0; s < segments; s++) {
      int kind = random.nextInt(10);
      if (kind < 6) {
        pattern.append('/').append(WORDS[random.nextInt(WORDS.length)]);
      } else if (kind < 9) {
        pattern.append("/{p").append(s).append('}');
      } else {
        return pattern.append("/{*rest}").toString();
      }
    }
    if (random.nextInt(8) == 0) {
      pattern.append('/');
    }
    return pattern.toString();
  }

  private static String randomPath(Random random) {
    StringBuilder path = new StringBuilder();
    path.append("/svc").append(random.nextInt(300));
    int segments = random.nextInt(5);
    for (int s = 0; s < segments; s++) {
      path.append('/');
      path.append(random.nextInt(3) == 0 ? String.valueOf(random.nextInt(100)) : pickWord(random));
    }
    if (random.nextInt(8) == 0) {
      path.append('/');
    }
    return path.toString();
  }

  private static String pickWord(Random random) {
    return WORDS[random.nextInt(WORDS.length)];
  }

  // The reference: every rule applied to every route, one at a time.

  private record Found(
      RouteSpec spec,
      String pattern,
      Map<String, String> parameters,
      int hostRank,
      int kind,
      int literals,
      int segments,
      int patternLength,
      boolean catchAll,
      int insertion) {}

  private static final Comparator<Found> RULES =
      Comparator.<Found>comparingInt(f -> -f.spec.priority())
          .thenComparingInt(f -> -f.hostRank)
          .thenComparingInt(f -> f.kind)
          .thenComparingInt(f -> f.kind == 2 ? -f.literals : -f.patternLength)
          .thenComparingInt(f -> f.kind == 2 ? -f.segments : 0)
          .thenComparingInt(f -> f.kind == 2 && !f.spec.exact() ? 1 : 0)
          .thenComparingInt(f -> f.catchAll ? 1 : 0)
          .thenComparingInt(f -> f.spec.methods().isEmpty() ? 0 : -1)
          .thenComparingInt(f -> f.spec.order())
          .thenComparingInt(f -> f.insertion);

  private static Found linearScan(List<RouteSpec> specs, String host, String method, String path) {
    Found best = null;
    for (int i = 0; i < specs.size(); i++) {
      RouteSpec spec = specs.get(i);
      if (!spec.methods().isEmpty() && !spec.methods().contains(method)) {
        continue;
      }
      List<String> hosts = spec.hosts().isEmpty() ? List.of("") : spec.hosts();
      for (String hostPattern : hosts) {
        int hostRank = hostRank(hostPattern, host);
        if (hostRank == Integer.MIN_VALUE) {
          continue;
        }
        for (String pattern : spec.paths()) {
          Found found = matchPath(spec, pattern, path, hostRank, i);
          if (found != null && (best == null || RULES.compare(found, best) < 0)) {
            best = found;
          }
        }
      }
    }
    return best;
  }

  /** The host's rank for this pattern, or MIN_VALUE when it does not match. */
  private static int hostRank(String pattern, String host) {
    if (pattern.isEmpty()) {
      return -1;
    }
    if (host == null) {
      return Integer.MIN_VALUE;
    }
    String name = host.toLowerCase();
    if (name.indexOf(':') >= 0) {
      name = name.substring(0, name.indexOf(':'));
    }
    if (pattern.startsWith("*.")) {
      String suffix = pattern.substring(1);
      return name.endsWith(suffix) && name.length() > suffix.length()
          ? suffix.length()
          : Integer.MIN_VALUE;
    }
    return name.equals(pattern) ? Integer.MAX_VALUE : Integer.MIN_VALUE;
  }

  private static Found matchPath(
      RouteSpec spec, String pattern, String path, int hostRank, int insertion) {
    int firstEnd = pattern.indexOf('/', 1) < 0 ? pattern.length() : pattern.indexOf('/', 1);
    if (!path.regionMatches(0, pattern, 0, firstEnd)
        || (path.length() > firstEnd && path.charAt(firstEnd) != '/')) {
      return null; // every generated pattern starts with a literal segment: a cheap first test
    }
    List<String> want = new ArrayList<>(List.of(pattern.substring(1).split("/", -1)));
    String[] have = path.substring(1).split("/", -1);
    boolean catchAll = want.get(want.size() - 1).startsWith("{*");
    boolean needsMore = false;
    if (catchAll) {
      want.remove(want.size() - 1);
    } else if (!spec.exact() && want.get(want.size() - 1).isEmpty()) {
      want.remove(want.size() - 1);
      needsMore = true;
    }
    boolean lengthOk;
    if (catchAll) {
      lengthOk = have.length >= want.size();
    } else if (spec.exact()) {
      lengthOk = have.length == want.size();
    } else {
      lengthOk = needsMore ? have.length > want.size() : have.length >= want.size();
    }
    if (!lengthOk) {
      return null;
    }
    Map<String, String> parameters = new LinkedHashMap<>();
    int literals = 0;
    for (int s = 0; s < want.size(); s++) {
      String segment = want.get(s);
      if (segment.startsWith("{")) {
        if (have[s].isEmpty()) {
          return null;
        }
        parameters.put(segment.substring(1, segment.length() - 1), have[s]);
      } else if (segment.equals(have[s])) {
        literals++;
      } else {
        return null;
      }
    }
    if (catchAll) {
      String rest = String.join("/", List.of(have).subList(want.size(), have.length));
      String last = pattern.substring(pattern.lastIndexOf('/') + 1);
      parameters.put(last.substring(2, last.length() - 1), rest);
    }
    boolean template = pattern.indexOf('{') >= 0;
    int kind = template ? 2 : spec.exact() ? 0 : 1;
    return new Found(
        spec,
        pattern,
        parameters,
        hostRank,
        kind,
        literals,
        want.size(),
        pattern.length(),
        catchAll,
        insertion);
  }
}
