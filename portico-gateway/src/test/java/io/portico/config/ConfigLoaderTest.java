package io.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  private final ConfigLoader loader =
      ConfigLoader.withEnvironment(Map.of("DB_HOST", "db.internal", "EMPTY", ""));

  private static List<String> rendered(LoadResult result) {
    return result.problems().list().stream().map(Problem::toString).toList();
  }

  @Test
  void givesEveryNodeItsPathAndLocation() {
    LoadResult result =
        loader.load(
            """
            routes:
              - name: a
                paths: [ "/a", "/b" ]
              - name: b
                paths:
                  - /c
            """,
            "portico.yaml");

    assertThat(result.problems().isEmpty()).isTrue();
    ConfigNode root = result.root();
    assertThat(root.path()).isEmpty();
    assertThat(root.location()).isEqualTo(new Location("portico.yaml", 1, 1));
    ConfigNode routes = root.fields().get("routes");
    assertThat(routes.path()).isEqualTo("routes");
    assertThat(routes.location()).isEqualTo(new Location("portico.yaml", 2, 3));
    ConfigNode second = routes.items().get(1);
    assertThat(second.path()).isEqualTo("routes[1]");
    assertThat(second.location()).isEqualTo(new Location("portico.yaml", 4, 5));
    ConfigNode b = routes.items().get(0).fields().get("paths").items().get(1);
    assertThat(b.path()).isEqualTo("routes[0].paths[1]");
    assertThat(b.text()).isEqualTo("/b");
    assertThat(b.location()).isEqualTo(new Location("portico.yaml", 3, 20));
    ConfigNode c = second.fields().get("paths").items().get(0);
    assertThat(c.path()).isEqualTo("routes[1].paths[0]");
    assertThat(c.location()).isEqualTo(new Location("portico.yaml", 6, 9));
  }

  @Test
  void flagsQuotedScalarsAndKeepsTheTextOfOthers() {
    LoadResult result =
        loader.load(
            """
            double: "8080"
            single: '8080'
            plain: 8080
            word: stdout
            flag: true
            block: |
              text
            nothing:
            tilde: ~
            """,
            "t.yaml");

    Map<String, ConfigNode> f = result.root().fields();
    assertThat(f.get("double").quoted()).isTrue();
    assertThat(f.get("single").quoted()).isTrue();
    assertThat(f.get("block").quoted()).isTrue();
    assertThat(f.get("block").text()).isEqualTo("text\n");
    assertThat(f.get("plain").quoted()).isFalse();
    assertThat(f.get("plain").text()).isEqualTo("8080");
    assertThat(f.get("word").quoted()).isFalse();
    assertThat(f.get("flag").text()).isEqualTo("true");
    assertThat(f.get("nothing").isNull()).isTrue();
    assertThat(f.get("tilde").isNull()).isTrue();
  }

  @Test
  void findsQuotesAfterCharactersOutsideTheBasicPlane() {
    LoadResult result = loader.load("a: \"\uD83D\uDE00\"\nb: 'x'\nc: x\n", "t.yaml");

    assertThat(result.root().fields().get("b").quoted()).isTrue();
    assertThat(result.root().fields().get("c").quoted()).isFalse();
  }

  @Test
  void readsJsonByExtension() {
    LoadResult result =
        loader.load(
            "{\n  \"routes\": [\n    {\"name\": \"a\", \"priority\": 5}\n  ]\n}\n", "portico.json");

    assertThat(result.problems().isEmpty()).isTrue();
    ConfigNode route = result.root().fields().get("routes").items().get(0);
    assertThat(route.path()).isEqualTo("routes[0]");
    assertThat(route.location()).isEqualTo(new Location("portico.json", 3, 5));
    ConfigNode name = route.fields().get("name");
    assertThat(name.quoted()).isTrue();
    assertThat(name.location()).isEqualTo(new Location("portico.json", 3, 14));
    ConfigNode priority = route.fields().get("priority");
    assertThat(priority.quoted()).isFalse();
    assertThat(priority.text()).isEqualTo("5");
  }

  @Test
  void readsJsonWhenTheTextStartsWithABrace() {
    LoadResult result = loader.load("  {\"admin\": \"off\"}", "posted-config");

    assertThat(result.problems().isEmpty()).isTrue();
    assertThat(result.root().fields().get("admin").text()).isEqualTo("off");
    assertThat(result.root().fields().get("admin").quoted()).isTrue();
  }

  @Test
  void reportsDuplicateKeysAtTheSecondOccurrence() {
    LoadResult result =
        loader.load(
            """
            admin:
              address: 127.0.0.1:9901
              token: a
              address: 127.0.0.1:9902
            """,
            "dup.yaml");

    assertThat(rendered(result))
        .containsExactly(
            "dup.yaml:4:3: admin.address: duplicate key \"address\" (expected: each key once per"
                + " object; first at line 2, column 3)");
    assertThat(result.root().fields().get("admin").fields().get("address").text())
        .isEqualTo("127.0.0.1:9901");
  }

  @Test
  void reportsDuplicateKeysInJson() {
    LoadResult result = loader.load("{\"a\": 1,\n \"a\": 2}", "dup.json");

    assertThat(rendered(result))
        .containsExactly(
            "dup.json:2:2: a: duplicate key \"a\" (expected: each key once per object; first at"
                + " line 1, column 2)");
  }

  @Test
  void turnsAYamlSyntaxErrorIntoAProblemWithLineAndColumn() {
    LoadResult result = loader.load("routes:\n  - name: a\n    paths: x\n   y: z\n", "bad.yaml");

    assertThat(result.root()).isNull();
    assertThat(rendered(result))
        .containsExactly(
            "bad.yaml:4:4: line 4 is indented by 3 spaces, the lines above it by 4 (line 3),"
                + " 2 (line 2) or 0 (line 1) (expected: valid YAML; indent it as the key it belongs"
                + " with, and check that each key is followed by a colon and a space; the YAML"
                + " parser said: expected <block end>, but found '<block mapping start>', while"
                + " parsing a block collection that began at line 2, column 3)");
  }

  @Test
  void namesTheIndentationOfAKeyIndentedDeeperThanItsSiblings() {
    LoadResult result =
        loader.load(
            "routes:\n  - name: a\n    paths: [ /a ]\n\n    # the service\n      service: b\n",
            "deep.yaml");

    assertThat(rendered(result)).hasSize(1);
    assertThat(rendered(result).get(0))
        .startsWith("deep.yaml:6:")
        .contains(
            ": line 6 is indented by 6 spaces, the lines above it by 4 (line 3),"
                + " 2 (line 2) or 0 (line 1) (expected: valid YAML; indent it as the key");
  }

  @Test
  void saysNothingOfIndentationWhenTheLineIsIndentedLikeASibling() {
    LoadResult result = loader.load("routes:\n  - name: a\n    paths [ /a ]\n    x: y\n", "c.yaml");

    assertThat(rendered(result)).hasSize(1);
    assertThat(rendered(result).get(0)).doesNotContain("is indented by");
  }

  @Test
  void namesWhereAnUnterminatedConstructBegan() {
    LoadResult result = loader.load("a: 1\nb: [x, y\n", "bad.yaml");

    assertThat(rendered(result))
        .containsExactly(
            "bad.yaml:3:1: expected ',' or ']', but got <stream end>, while parsing a flow sequence"
                + " that began at line 2, column 4 (expected: valid YAML; close the [ or { that"
                + " began there)");
  }

  @Test
  void saysToQuoteAPathWithBracesInAFlowList() {
    LoadResult result = loader.load("routes:\n  - paths: [/users/{id}]\n", "bad.yaml");

    assertThat(rendered(result))
        .containsExactly(
            "bad.yaml:2:20: expected ',' or ']', but got {, while parsing a flow sequence that"
                + " began at line 2, column 12 (expected: valid YAML; quote a value inside [ ] or"
                + " { } that holds { } [ ] , or :, such as \"/users/{id}\")");
  }

  @Test
  void saysToIndentWithSpacesWhenALineStartsWithATab() {
    LoadResult result = loader.load("routes:\n\t- name: a\n", "bad.yaml");

    assertThat(rendered(result)).hasSize(1);
    assertThat(rendered(result).get(0))
        .startsWith("bad.yaml:2:1: ")
        .endsWith("(expected: valid YAML; indent with spaces, never tabs)");
  }

  @Test
  void aYamlFileOverTheReadersLimitSaysToWriteItAsJson() {
    StringBuilder yaml = new StringBuilder("routes:\n");
    for (int i = 0; yaml.length() <= 3 * 1024 * 1024; i++) {
      yaml.append("  - name: r").append(i).append("\n    paths: [ /a").append(i).append(" ]\n");
    }
    String text = yaml.toString();

    assertThat(rendered(loader.load(text, "big.yaml")))
        .singleElement()
        .asString()
        .contains("exceeds the limit")
        .endsWith(
            "(expected: valid YAML; the YAML reader takes at most 3 MiB: write a config this"
                + " large as JSON, which has no such limit)");
    assertThat(rendered(loader.load(toJson(text), "big.json"))).isEmpty();
  }

  /** The routes of {@link #aYamlFileOverTheReadersLimitSaysToWriteItAsJson} as JSON. */
  private static String toJson(String yaml) {
    StringBuilder json = new StringBuilder("{\"routes\": [");
    String[] lines = yaml.split("\n");
    for (int i = 1; i + 1 < lines.length; i += 2) {
      String name = lines[i].substring("  - name: ".length());
      String path = lines[i + 1].replace("    paths: [ ", "").replace(" ]", "");
      json.append(i == 1 ? "" : ",")
          .append("{\"name\":\"")
          .append(name)
          .append("\",\"paths\":[\"")
          .append(path)
          .append("\"]}");
    }
    return json.append("]}").toString();
  }

  @Test
  void turnsAJsonSyntaxErrorIntoAProblemWithLineAndColumn() {
    LoadResult result = loader.load("{\"a\": [1, 2\n \"b\": 3}", "bad.json");

    assertThat(result.root()).isNull();
    Problem problem = result.problems().list().get(0);
    assertThat(problem.location()).isEqualTo(new Location("bad.json", 2, 2));
    assertThat(problem.message())
        .startsWith("Unexpected character")
        .endsWith("(expected: valid JSON)");
  }

  @Test
  void anUnclosedJsonListNamesWhereItOpenedWithoutTheParsersSourceMarker() {
    LoadResult result =
        loader.load("{\"listeners\": [{\"address\": \":8080\"}],\n \"routes\": [\n", "bad.json");

    assertThat(rendered(result))
        .containsExactly(
            "bad.json:3:1: Unexpected end-of-input: expected close marker for Array (start marker"
                + " at line 2, column 12) (expected: valid JSON)");
  }

  @Test
  void reportsASecondYamlDocument() {
    LoadResult result = loader.load("a: 1\n---\nb: 2\n", "two.yaml");

    assertThat(rendered(result))
        .containsExactly("two.yaml:3:1: a second document (expected: one YAML document per file)");
  }

  @Test
  void rejectsYamlAliases() {
    LoadResult result = loader.load("a: &x 1\nb: *x\n", "alias.yaml");

    assertThat(rendered(result))
        .containsExactly(
            "alias.yaml:2:4: b: *x (expected: a value written out; YAML aliases are not"
                + " supported)");
  }

  @Test
  void readsAnEmptyDocumentAsAnEmptyObject() {
    LoadResult result = loader.load("", "empty.yaml");

    assertThat(result.problems().isEmpty()).isTrue();
    assertThat(result.root().isObject()).isTrue();
    assertThat(result.root().fields()).isEmpty();
  }

  @Test
  void interpolatesVariablesDefaultsAndEscapes() {
    LoadResult result =
        loader.load(
            """
            host: ${DB_HOST}:5432
            port: ${DB_PORT:-5432}
            empty: "${EMPTY:-fallback}"
            set-empty: "[${EMPTY}]"
            literal: $${DB_HOST}
            mixed: "$${A} and ${DB_HOST}"
            ${DB_HOST}: keys are not interpolated
            """,
            "env.yaml");

    assertThat(result.problems().isEmpty()).isTrue();
    Map<String, ConfigNode> f = result.root().fields();
    assertThat(f.get("host").text()).isEqualTo("db.internal:5432");
    assertThat(f.get("port").text()).isEqualTo("5432");
    assertThat(f.get("empty").text()).isEqualTo("fallback");
    assertThat(f.get("set-empty").text()).isEqualTo("[]");
    assertThat(f.get("literal").text()).isEqualTo("${DB_HOST}");
    assertThat(f.get("mixed").text()).isEqualTo("${A} and db.internal");
    assertThat(f).containsKey("${DB_HOST}");
  }

  @Test
  void reportsAnUnsetVariableAtItsNode() {
    LoadResult result =
        ConfigLoader.withEnvironment(Map.of())
            .load(
                """
                services:
                  - name: db
                    targets: [ "${DB_HOST}:5432" ]
                """,
                "env.yaml");

    assertThat(rendered(result))
        .containsExactly(
            "env.yaml:3:16: services[0].targets[0]: ${DB_HOST}: not set (expected: an environment"
                + " variable, or a default with ${DB_HOST:-value})");
  }

  @Test
  void reportsMalformedReferences() {
    LoadResult result = loader.load("a: ${DB_HOST\nb: ${NOT A NAME}\n", "env.yaml");

    assertThat(rendered(result))
        .containsExactly(
            "env.yaml:1:4: a: ${DB_HOST: unterminated reference (expected: ${NAME} or"
                + " ${NAME:-default}; write $${ for a literal ${)",
            "env.yaml:2:4: b: ${NOT A NAME}: invalid reference (expected: ${NAME} or"
                + " ${NAME:-default} where NAME is letters, digits and _)");
  }

  @Test
  void leavesReferencesStartingLowerCaseForPluginVariables() {
    LoadResult result =
        loader.load(
            """
            ip: "${client_ip}"
            param: "${path_param.id} of ${route}, ${DB_HOST}"
            open: "${header.X-Tenant"
            escaped: "$${request_id} and $${DB_HOST}"
            """,
            "env.yaml");

    assertThat(result.problems().isEmpty()).isTrue();
    Map<String, ConfigNode> f = result.root().fields();
    assertThat(f.get("ip").text()).isEqualTo("${client_ip}");
    assertThat(f.get("param").text()).isEqualTo("${path_param.id} of ${route}, db.internal");
    assertThat(f.get("open").text()).isEqualTo("${header.X-Tenant");
    assertThat(f.get("escaped").text()).isEqualTo("$${request_id} and ${DB_HOST}");
  }

  @Test
  void readsAFileUnderTheNameItWasGiven(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("gateway.yaml");
    Files.writeString(file, "admin: off\n");

    LoadResult result = loader.load(file);

    assertThat(result.problems().isEmpty()).isTrue();
    assertThat(result.root().fields().get("admin").location().source()).isEqualTo(file.toString());
    assertThat(result.text()).isEqualTo("admin: off\n");
  }

  @Test
  void reportsAMissingFile(@TempDir Path dir) {
    Path file = dir.resolve("missing.yaml");

    LoadResult result = loader.load(file);

    assertThat(result.root()).isNull();
    assertThat(rendered(result))
        .containsExactly(file + ": no such file (expected: a readable YAML or JSON file)");
  }

  @Test
  void aMissingFileNamesTheConfigBesideItWithAnotherExtension(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("portico.yml"), "admin: off\n");
    Files.writeString(dir.resolve("notes.txt"), "not a config\n");

    assertThat(rendered(loader.load(dir.resolve("portico.yaml"))))
        .containsExactly(
            dir.resolve("portico.yaml")
                + ": no such file (expected: a readable YAML or JSON file; did you mean "
                + dir.resolve("portico.yml")
                + "?)");
    assertThat(rendered(loader.load(dir.resolve("portico"))))
        .containsExactly(
            dir.resolve("portico")
                + ": no such file (expected: a readable YAML or JSON file; did you mean "
                + dir.resolve("portico.yml")
                + "?)");
    assertThat(rendered(loader.load(dir.resolve("notes.yaml"))))
        .containsExactly(
            dir.resolve("notes.yaml") + ": no such file (expected: a readable YAML or JSON file)");
  }

  @Test
  void aDirectoryGivenAsTheFileNamesTheConfigInIt(@TempDir Path dir) throws Exception {
    Path conf = Files.createDirectory(dir.resolve("conf"));
    Files.writeString(conf.resolve("portico.yaml"), "admin: off\n");
    Files.writeString(conf.resolve("other.yaml"), "admin: off\n");

    assertThat(rendered(loader.load(conf)))
        .containsExactly(
            conf
                + ": a directory (expected: a readable YAML or JSON file; did you mean "
                + conf.resolve("portico.yaml")
                + "?)");
    assertThat(rendered(loader.load(dir)))
        .containsExactly(
            dir
                + ": a directory (expected: a readable YAML or JSON file; a directory was given:"
                + " name the config file in it)");
  }
}
