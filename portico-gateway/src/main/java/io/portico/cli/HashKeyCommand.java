package io.portico.cli;

import io.portico.plugins.auth.key.KeyHash;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code portico hash-key [KEY]}: prints the stored form of an API key ({@code sha256:<hex>}) for
 * {@code consumers[].credentials.key-auth.key}. Reads the key from the first line of standard input
 * when it is not given, so it need not appear in the shell history.
 */
@Command(name = "hash-key", description = "Print the hash of an API key for key-auth.")
final class HashKeyCommand implements Callable<Integer> {

  @picocli.CommandLine.Mixin HelpOption help = new HelpOption();

  @Parameters(arity = "0..1", paramLabel = "KEY", description = "The key; default: standard input.")
  @Nullable String key;

  @Override
  public Integer call() throws IOException {
    String value = key != null ? key : firstLine();
    if (value == null || value.isEmpty()) {
      System.err.println("hash-key: no key (expected: a key as argument or on standard input)");
      return 1;
    }
    System.out.println(KeyHash.of(value));
    return 0;
  }

  /** The first line of standard input, without its line end; null when there is none. */
  static String firstLine() throws IOException {
    return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
  }
}
