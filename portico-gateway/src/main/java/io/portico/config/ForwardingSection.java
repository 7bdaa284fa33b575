package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the top-level {@code forwarding} section into {@link ForwardingConfig}: the trusted
 * proxies (CIDR blocks), the {@code Via} pseudonym, the request-id header and the header the
 * client's address is read from.
 */
final class ForwardingSection {

  private final SectionReaders in;
  private final Problems problems;

  ForwardingSection(SectionReaders in) {
    this.in = in;
    this.problems = in.problems;
  }

  ForwardingConfig parse(ConfigReader r) {
    ForwardingConfig d = ForwardingConfig.DEFAULTS;
    List<String> trusted = new ArrayList<>();
    for (ConfigNode cidr : in.stringItems(r, "trusted-proxies")) {
      if (Addresses.isCidr(cidr.scalarText())) {
        trusted.add(cidr.scalarText());
      } else {
        problems.expected(cidr, Addresses.CIDR_RULE);
      }
    }
    String via = r.string("via", d.via());
    if ("off".equals(via)) {
      via = null;
    } else if (via != null && !SectionReaders.TOKEN.matcher(via).matches()) {
      r.expected("via", "a pseudonym such as portico, or off");
      via = d.via();
    }
    String requestIdHeader = r.string("request-id-header", d.requestIdHeader());
    if (requestIdHeader != null && !SectionReaders.TOKEN.matcher(requestIdHeader).matches()) {
      r.expected("request-id-header", "a header name such as X-Request-Id");
      requestIdHeader = d.requestIdHeader();
    }
    String clientAddressHeader =
        r.oneOf(
            "client-address-header",
            d.clientAddressHeader(),
            ForwardingConfig.CLIENT_ADDRESS_HEADERS);
    r.finish();
    return new ForwardingConfig(List.copyOf(trusted), via, requestIdHeader, clientAddressHeader);
  }
}
