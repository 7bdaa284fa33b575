package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.bcrypt.BCrypt;

/** {@code portico hash-key} and {@code portico hash-password}, run in process. */
class HashCommandsTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private InputStream savedIn;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedIn = System.in;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setIn(savedIn);
  }

  private String output() {
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  @Test
  void hashKeyPrintsTheSha256OfTheArgument() {
    assertThat(Main.execute("hash-key", "abc")).isZero();
    assertThat(output())
        .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void hashKeyReadsTheFirstLineOfStandardInput() {
    System.setIn(new ByteArrayInputStream("abc\n".getBytes(StandardCharsets.UTF_8)));
    assertThat(Main.execute("hash-key")).isZero();
    assertThat(output()).endsWith("f20015ad");
  }

  @Test
  void hashPasswordPrintsABcryptHashThatChecks() {
    assertThat(Main.execute("hash-password", "--cost", "4", "s3cret")).isZero();
    assertThat(output()).startsWith("$2a$04$");
    assertThat(BCrypt.checkpw("s3cret", output())).isTrue();
    assertThat(Main.execute("hash-password", "--cost", "40", "s3cret")).isEqualTo(1);
  }
}
