package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code portico validate} loads a TLS listener's certificates and keys, and a service's CA bundle,
 * as {@code run} does, so a file that is not a certificate, or a key that is not the certificate's,
 * fails validation with its place instead of passing it and then stopping {@code run} (or failing
 * every handshake).
 */
class ValidateTlsTest {

  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream savedErr;
  private PrintStream savedOut;

  @BeforeEach
  void capture() {
    savedErr = System.err;
    savedOut = System.out;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(savedErr);
    System.setOut(savedOut);
  }

  private Path config(Path cert, Path key) throws Exception {
    return Files.writeString(
        dir.resolve("portico.yaml"),
        """
        listeners:
          - address: 127.0.0.1:8443
            tls:
              certificates:
                - cert: %s
                  key: %s
        routes:
          - name: hello
            paths: [ "/hello" ]
            plugins:
              mock: { body: hi }
        """
            .formatted(cert, key));
  }

  @Test
  void aFileThatIsNotACertificateFailsValidationWithItsPlace() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    TestCertificates.Issued good = certs.issue("good.test");
    Path broken = Files.writeString(dir.resolve("broken.pem"), "not a certificate\n");
    Path config = config(broken, good.key());

    assertThat(Main.execute("validate", config.toString())).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            config
                + ":5:17: listeners[0].tls.certificates[0].cert: \""
                + broken
                + "\" (expected: a PEM certificate chain that loads with its PKCS#8 PEM private"
                + " key; ")
        .contains(config + ": 1 problem");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("valid");
  }

  @Test
  void aKeyThatIsNotTheCertificatesOwnFailsValidation() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    TestCertificates.Issued one = certs.issue("one.test");
    TestCertificates.Issued other = certs.issue("other.test");
    Path config = config(one.cert(), other.key());

    assertThat(Main.execute("validate", config.toString())).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            "the private key in "
                + other.key()
                + " is not the key of the certificate in "
                + one.cert()
                + " (a certificate and its key are made together: check that the two files are a"
                + " pair)");
  }

  @Test
  void aServicesCaBundleThatDoesNotLoadFailsValidationAtItsLine() throws Exception {
    Path broken = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    Path config =
        Files.writeString(
            dir.resolve("portico.yaml"),
            """
            services:
              - name: backend
                targets: [ "https://127.0.0.1:8443" ]
                tls: { ca: %s }
            """
                .formatted(broken));

    assertThat(Main.execute("validate", config.toString())).isEqualTo(1);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(
            config
                + ":4:10: services[0].tls: cannot load the CA bundle or client certificate"
                + " (expected: PEM files that load): ");
  }

  @Test
  void aCertificateWithItsOwnKeyValidates() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    TestCertificates.Issued one = certs.issue("one.test");
    Path config = config(one.cert(), one.key());

    assertThat(Main.execute("validate", config.toString())).isEqualTo(0);

    assertThat(out.toString(StandardCharsets.UTF_8)).contains(config + ": valid (version ");
  }
}
