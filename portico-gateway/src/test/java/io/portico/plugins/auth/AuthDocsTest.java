package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.ConfigFiles;
import io.portico.config.ConfigResult;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The examples of the authentication plugin pages load with zero problems. */
class AuthDocsTest {

  private static final Path DOCS = Path.of("").toAbsolutePath().getParent().resolve("docs/plugins");
  private static final Pattern YAML = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "key-auth.md",
        "basic-auth.md",
        "hmac-auth.md",
        "mtls-auth.md",
        "acl.md",
        "multi-auth.md",
        "jwt.md",
        "oauth2-introspection.md",
        "openid-connect.md"
      })
  void exampleLoadsWithZeroProblems(String page) throws Exception {
    List<String> examples = examples(DOCS.resolve(page));
    assertThat(examples).isNotEmpty();
    assertLoad(page, examples);
  }

  @Test
  void everyStepOfTheGuideLoadsWithZeroProblems() throws Exception {
    List<String> examples = examples(DOCS.getParent().resolve("securing-an-api.md"));
    assertThat(examples).hasSize(5);
    assertLoad("securing-an-api.md", examples);
  }

  private static List<String> examples(Path page) throws Exception {
    List<String> examples = new ArrayList<>();
    Matcher m = YAML.matcher(Files.readString(page));
    while (m.find()) {
      if (m.group(1).contains("routes:")) {
        examples.add(m.group(1));
      }
    }
    return examples;
  }

  private void assertLoad(String page, List<String> examples) {
    for (String example : examples) {
      ConfigResult result =
          ConfigFiles.parse(
              example,
              page,
              dir,
              Map.of(
                  "BILLING_HMAC_SECRET", "a-secret-of-the-doc-test",
                  "INTROSPECTION_SECRET", "a-secret-of-the-doc-test",
                  "OIDC_CLIENT_SECRET", "a-secret-of-the-doc-test",
                  "OIDC_SESSION_SECRET", "a-session-secret-of-the-doc-test-32+"),
              PluginRegistry.load(getClass().getClassLoader()));
      assertThat(result.problems().list()).extracting(Problem::toString).isEmpty();
    }
  }

  @Test
  void everyPageIsListedInThePluginIndex() throws Exception {
    String index = Files.readString(DOCS.resolve("README.md"));
    for (String page :
        List.of(
            "key-auth",
            "basic-auth",
            "hmac-auth",
            "mtls-auth",
            "acl",
            "multi-auth",
            "jwt",
            "oauth2-introspection",
            "openid-connect")) {
      assertThat(index).contains("[" + page + "](" + page + ".md)");
    }
  }
}
