package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.plugins.auth.hmac.HmacAuthFactory;
import io.portico.testing.Bytecode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;

/**
 * Constant-time comparison proved on the compiled code, where a timing probe cannot see the
 * difference: which call compares a secret, and on what. Read with the JDK's {@code javap}.
 */
class ConstantTimeCodeTest {

  /**
   * hmac-auth signatures are 32 to 64 bytes: an early exit over them costs nanoseconds, below what
   * a timing probe can see on a shared machine, so a timing test of it could only pass. The
   * property is proved on the code instead: the presented signature is compared with {@link
   * MessageDigest#isEqual} (constant time for arrays of one length, its time set by its first
   * argument), and that first argument is the expected MAC just computed by {@code sign}, which is
   * a {@link Mac#doFinal} of fixed length; so the comparison takes the same time whatever the
   * signature presented.
   */
  @Test
  void hmacAuthComparesTheSignatureInConstantTimeAgainstTheFixedLengthMac() throws Exception {
    Bytecode code = Bytecode.of(HmacAuthFactory.class.getName() + "$HmacAuthenticator");

    List<List<String>> authenticate = code.methods("authenticate");
    assertThat(authenticate).hasSize(1);
    List<String> lines = authenticate.get(0);
    int isEqual = indexOf(lines, "Method java/security/MessageDigest.isEqual:([B[B)Z");
    assertThat(isEqual).as("authenticate compares with MessageDigest.isEqual").isPositive();
    String firstArgument = slot(lines.get(isEqual - 2), "aload");
    String secondArgument = slot(lines.get(isEqual - 1), "aload");
    assertThat(lines.get(isEqual - 3)).contains("astore").endsWith(" " + firstArgument);
    assertThat(lines.get(isEqual - 4)).contains("Method sign:(");
    assertThat(localName(lines, firstArgument)).isEqualTo("expected");
    assertThat(localName(lines, secondArgument)).isEqualTo("presented");
    assertThat(String.join("\n", lines))
        .doesNotContain("java/util/Arrays.equals")
        .doesNotContain("java/lang/String.equals:(Ljava/lang/Object;)Z\n         .*presented");

    List<String> sign = code.methods("sign").get(0);
    int doFinal = indexOf(sign, "Method javax/crypto/Mac.doFinal:([B)[B");
    assertThat(doFinal).as("sign returns a MAC").isPositive();
    assertThat(sign.get(doFinal + 1)).contains("areturn");
  }

  /** No class of the authentication plugins compares byte or char arrays with an early exit. */
  @Test
  void noAuthenticationCodeComparesArraysWithArraysEquals() throws Exception {
    Path root =
        Path.of(Authentication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path auth = root.resolve("io/portico/plugins/auth");
    List<String> classes;
    try (Stream<Path> walk = Files.walk(auth)) {
      classes =
          walk.filter(f -> f.toString().endsWith(".class"))
              .map(f -> root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
              .toList();
    }
    assertThat(classes).hasSizeGreaterThan(20);
    assertThat(Bytecode.of(classes.toArray(new String[0])).text())
        .contains("Method java/security/MessageDigest.isEqual:([B[B)Z")
        .doesNotContain("Method java/util/Arrays.equals:([B[B)Z")
        .doesNotContain("Method java/util/Arrays.equals:([C[C)Z");
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }

  /** The local variable slot of an {@code aload N} or {@code aload_N} instruction line. */
  private static String slot(String line, String op) {
    Matcher m = Pattern.compile(op + "(?:_| +)(\\d+)\\s*$").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    return m.group(1);
  }

  /** The name of local variable {@code slot} in the method's LocalVariableTable. */
  private static String localName(List<String> lines, String slot) {
    Pattern row = Pattern.compile("^\\s+\\d+\\s+\\d+\\s+" + slot + "\\s+(\\S+)\\s+\\S+$");
    String found = null;
    for (String line : lines) {
      Matcher m = row.matcher(line);
      if (m.matches()) {
        found = m.group(1);
      }
    }
    return found;
  }
}
