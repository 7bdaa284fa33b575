package io.portico.snapshot;

import io.netty.util.AsciiString;
import io.portico.plugin.PluginChain;
import io.portico.spi.plugin.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects, while a config is compiled, the request headers that no client may send: the shared
 * identity headers and every header a configured plugin vouches for ({@link
 * io.portico.spi.plugin.Plugin#identityHeaders()}). The proxy removes them from every request, on
 * every route, so that a header an authentication plugin sets on one route cannot be forged by a
 * client on another route to the same upstream. Used by one thread, then discarded.
 */
final class IdentityHeaderSet {

  private final Set<String> names = new TreeSet<>();

  IdentityHeaderSet() {
    for (String name : Identity.UPSTREAM_HEADERS) {
      names.add(name.toLowerCase(Locale.ROOT));
    }
  }

  void addAll(List<PluginChain.Entry> plugins) {
    for (PluginChain.Entry entry : plugins) {
      for (String name : entry.plugin().identityHeaders()) {
        names.add(name.toLowerCase(Locale.ROOT));
      }
    }
  }

  /** The names, lower case, sorted, as the proxy removes them. */
  List<AsciiString> toList() {
    List<AsciiString> out = new ArrayList<>(names.size());
    for (String name : names) {
      out.add(AsciiString.cached(name));
    }
    return List.copyOf(out);
  }
}
