package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The {@code listeners} and {@code admin} sections: address forms, tokens and allowed hosts. */
class ListenersAndAdminSectionTest extends ConfigParsing {

  @Test
  void parsesListenerAddressForms() {
    GatewayConfig config =
        valid(
            parse(
                """
                listeners:
                  - address: 127.0.0.1:8080
                  - address: "[::1]:8080"
                  - address: 0.0.0.0:80
                    http2: false
                  - name: public
                    address: :8443
                  - address: localhost:8081
                admin: off
                """));

    assertThat(config.listeners())
        .extracting(ListenerConfig::address)
        .containsExactly(
            new InetSocketAddress("127.0.0.1", 8080),
            new InetSocketAddress("::1", 8080),
            new InetSocketAddress("0.0.0.0", 80),
            new InetSocketAddress(8443),
            new InetSocketAddress("127.0.0.1", 8081));
    assertThat(config.listeners())
        .extracting(ListenerConfig::name)
        .containsExactly("http-8080", "http-8080-2", "http-80", "public", "http-8081")
        .hasSize(5);
    assertThat(config.listeners()).extracting(ListenerConfig::http2).contains(false);
  }

  @Test
  void aListenerAddressWrittenAsAPortOrAUrlIsToldTheAddressToWrite() {
    ConfigResult result =
        parse(
            """
            listeners:
              - address: 8080
              - address: http://0.0.0.0:8081/
            admin:
              address: https://admin.internal:9901
            """);

    String rule =
        "(expected: host:port with an IP address, [IPv6]:port or :port, with a port from 0 to"
            + " 65535; ";
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:14: listeners[0].address: \"8080\" "
                + rule
                + "write :8080 for every interface, or 127.0.0.1:8080 for this host only)",
            "portico.yaml:3:14: listeners[1].address: \"http://0.0.0.0:8081/\" "
                + rule
                + "write 0.0.0.0:8081, without a scheme)",
            "portico.yaml:5:12: admin.address: \"https://admin.internal:9901\" "
                + rule
                + "write host:port without a scheme)");
  }

  @Test
  void rejectsHostNamesAndMalformedListenerAddresses() {
    ConfigResult result =
        parse(
            """
            listeners:
              - address: example.com:80
              - address: "::1:80"
              - address: 127.0.0.1
              - address: 127.0.0.1:8080
              - address: 127.0.0.1:8080
              - {}
            """);

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:14: listeners[0].address: \"example.com:80\" (expected: host:port with"
                + " an IP address, [IPv6]:port or :port, with a port from 0 to 65535; a listener"
                + " binds an IP address, never a host name: write 0.0.0.0:80 for every interface,"
                + " or the host's IP address)",
            "portico.yaml:3:14: listeners[1].address: \"::1:80\" (expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535; an IPv6 address is"
                + " written in brackets before its port, as [::1]:8080)",
            "portico.yaml:4:14: listeners[2].address: \"127.0.0.1\" (expected: host:port with an"
                + " IP address, [IPv6]:port or :port, with a port from 0 to 65535; add the port, as"
                + " 127.0.0.1:8080)",
            "portico.yaml:6:14: listeners[4].address: \"127.0.0.1:8080\" (expected: an address not"
                + " used by another listener; listeners[3].address has it)",
            "portico.yaml:7:5: listeners[5].address: missing (expected: host:port with an IP"
                + " address, [IPv6]:port or :port, with a port from 0 to 65535)");
  }

  @Test
  void disablesAdminEitherWay() {
    assertThat(valid(parse("admin: off\n")).admin().address()).isNull();
    assertThat(valid(parse("admin:\n  address: off\n")).admin().address()).isNull();
  }

  @Test
  void requiresATokenForANonLoopbackAdminAddress() {
    ConfigResult result = parse("admin:\n  address: 0.0.0.0:9901\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:12: admin.address: \"0.0.0.0:9901\" (expected: a loopback address such"
                + " as 127.0.0.1:9901, or a token in admin.token or admin.tokens)");

    env.put("ADMIN_TOKEN", "s3cret-s3cret-s3cret");
    AdminConfig admin =
        valid(parse("admin:\n  address: 0.0.0.0:9901\n  token: ${ADMIN_TOKEN}\n")).admin();
    assertThat(admin.token()).isEqualTo("s3cret-s3cret-s3cret");
  }

  @Test
  void readsAdminAllowedHostsAndReportsWhatIsNotAHostName() {
    AdminConfig admin =
        valid(
                parse(
                    "admin:\n  allowed-hosts: [ Admin.Internal, 10.0.0.7, \"::1\", \"[2001:DB8::1]\" ]\n"))
            .admin();
    assertThat(admin.allowedHosts())
        .containsExactly("admin.internal", "10.0.0.7", "[::1]", "[2001:db8::1]");

    ConfigResult result =
        parse("admin:\n  allowed-hosts: [ \"admin.internal:9901\", \"*.internal\", \"a b\" ]\n");
    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:2:20: admin.allowed-hosts[0]: \"admin.internal:9901\" (expected: a host"
                + " name such as admin.internal, an IPv4 address or [IPv6])",
            "portico.yaml:2:43: admin.allowed-hosts[1]: \"*.internal\" (expected: a host name such"
                + " as admin.internal, an IPv4 address or [IPv6])",
            "portico.yaml:2:57: admin.allowed-hosts[2]: \"a b\" (expected: a host name such as"
                + " admin.internal, an IPv4 address or [IPv6])");
  }

  @Test
  void rejectsAnAdminAddressThatAListenerUses() {
    ConfigResult result =
        parse("listeners:\n  - address: 127.0.0.1:9901\nadmin:\n  address: 127.0.0.1:9901\n");

    assertThat(problems(result))
        .containsExactly(
            "portico.yaml:4:12: admin.address: \"127.0.0.1:9901\" (expected: an address not used"
                + " by a listener; listener http-9901 has it)");
  }
}
