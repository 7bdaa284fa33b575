package io.portico.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.bcrypt.BCrypt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code portico hash-password [PASSWORD]}: prints a bcrypt hash for {@code
 * consumers[].credentials.basic-auth.password}. Reads the password from the first line of standard
 * input when it is not given.
 */
@Command(name = "hash-password", description = "Print a bcrypt hash of a password for basic-auth.")
final class HashPasswordCommand implements Callable<Integer> {

  @picocli.CommandLine.Mixin HelpOption help = new HelpOption();

  @Parameters(
      arity = "0..1",
      paramLabel = "PASSWORD",
      description = "The password; default: standard input.")
  @Nullable String password;

  @Option(
      names = "--cost",
      paramLabel = "N",
      description = "The bcrypt cost (log2 rounds), 4 to 16. Default: ${DEFAULT-VALUE}.",
      defaultValue = "10")
  int cost;

  @Override
  public Integer call() throws IOException {
    String value = password != null ? password : HashKeyCommand.firstLine();
    if (value == null || value.isEmpty()) {
      System.err.println(
          "hash-password: no password (expected: a password as argument or on standard input)");
      return 1;
    }
    if (cost < 4 || cost > 16) {
      System.err.println("--cost: " + cost + " (expected: an integer from 4 to 16)");
      return 1;
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > 72) {
      System.err.println(
          "hash-password: the password is longer than 72 bytes (expected: at most 72, bcrypt's limit)");
      return 1;
    }
    System.out.println(BCrypt.hashpw(value, BCrypt.gensalt(cost)));
    return 0;
  }
}
