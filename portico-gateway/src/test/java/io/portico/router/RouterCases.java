package io.portico.router;

/** The routers and lookups the router tests share. */
abstract class RouterCases {

  static Router<String> router(RouteSpec... specs) {
    Router.Builder<String> builder = Router.builder();
    for (RouteSpec spec : specs) {
      builder.add(spec, spec.name());
    }
    return builder.build();
  }

  static RouteSpec.Builder route(String name, String... paths) {
    return RouteSpec.builder(name).paths(paths);
  }

  static String pick(Router<String> router, String host, String method, String path) {
    RouteMatch<String> match = router.match(host, method, path, null, null);
    return match == null ? null : match.value();
  }

  static String pick(Router<String> router, String path) {
    return pick(router, "example.com", "GET", path);
  }
}
