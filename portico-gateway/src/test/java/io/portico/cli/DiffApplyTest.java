package io.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code portico diff} and {@code portico apply} against a gateway started by the test, through its
 * real admin API: create, update, delete, a diff without changes, an invalid file.
 */
class DiffApplyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "ops-token-1";

  @TempDir Path dir;
  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  /** The outcome of one command: exit code and what it printed. */
  private record Run(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    Path store = Files.createDirectories(dir.resolve("store"));
    gw =
        env.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              tokens:
                - { name: ops, hash: "%s", role: read-write }
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: file-route
                paths: [ "/file" ]
                strip-prefix: true
                service: backend
            """
                .formatted(store, KeyHash.of(TOKEN), env.origin().authority()));
  }

  private Run run(String command, String yaml, String... extra) throws Exception {
    Path file = dir.resolve("declared.yaml");
    Files.writeString(file, yaml);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] args = new String[4 + extra.length + 2];
    args[0] = command;
    args[1] = "-f";
    args[2] = file.toString();
    args[3] = "--admin-url=" + gw.adminUri("");
    args[4] = "--token";
    args[5] = TOKEN;
    System.arraycopy(extra, 0, args, 6, extra.length);
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private String declared(String ordersPath, boolean withOrders) {
    String services =
        """
        services:
          - name: backend
            targets: [ "%s" ]
        """
            .formatted(env.origin().authority());
    if (!withOrders) {
      return services;
    }
    return services
        + """
          - name: orders
            targets: [ "%s" ]
        routes:
          - name: orders
            paths: [ "%s" ]
            strip-prefix: true
            service: orders
        """
            .formatted(env.origin().authority(), ordersPath);
  }

  private JsonNode admin(String path) throws Exception {
    return JSON.readTree(
        gw.send(
                HttpRequest.newBuilder(gw.adminUri(path))
                    .header("Authorization", "Bearer " + TOKEN))
            .body());
  }

  @Test
  void createsUpdatesAndDeletesWhatTheFileDeclaresAndDiffsCleanAfterwards() throws Exception {
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(404);

    Run diff = run("diff", declared("/orders", true));
    assertThat(diff.code()).as(diff.err()).isEqualTo(2);
    assertThat(diff.out())
        .contains("+ create services/orders")
        .contains("+ create routes/orders (")
        .contains("declared.yaml:")
        .contains("2 to create, 0 to update, 0 to delete")
        .contains("kept (from the gateway's own config file")
        .contains("routes/file-route")
        .doesNotContain("services/backend");
    // A diff changes nothing.
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(404);

    Run apply = run("apply", declared("/orders", true));
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("applied: version 1");
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(200);
    // One write made both objects: one version.
    assertThat(admin("/config/versions").path("versions").size()).isEqualTo(1);

    Run same = run("diff", declared("/orders", true));
    assertThat(same.code()).as(same.out() + same.err()).isZero();
    assertThat(same.out()).contains("no changes");
    Run noop = run("apply", declared("/orders", true));
    assertThat(noop.code()).isZero();
    assertThat(admin("/config/versions").path("versions").size()).isEqualTo(1);

    Run update = run("diff", declared("/shop", true));
    assertThat(update.code()).isEqualTo(2);
    assertThat(update.out())
        .contains("~ update routes/orders")
        .contains("- paths: [\"/orders\"]")
        .contains("+ paths: [\"/shop\"]")
        .contains("0 to create, 1 to update, 0 to delete");
    assertThat(run("apply", declared("/shop", true)).code()).isZero();
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(404);

    Run delete = run("diff", declared("/shop", false));
    assertThat(delete.code()).isEqualTo(2);
    assertThat(delete.out())
        .contains("- delete routes/orders")
        .contains("- delete services/orders")
        .contains("0 to create, 0 to update, 2 to delete");
    assertThat(run("apply", declared("/shop", false)).code()).isZero();
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(404);
    // The gateway's own file objects stay unless pruning is asked for.
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(200);
    assertThat(run("diff", declared("/shop", false)).code()).isZero();

    Run prune = run("apply", declared("/shop", false), "--prune-file-objects");
    assertThat(prune.code()).as(prune.err()).isZero();
    assertThat(prune.out()).contains("- delete routes/file-route");
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(404);
  }

  @Test
  void globalPluginsAndConsumersAreSyncedLikeTheOtherKinds() throws Exception {
    String yaml =
        declared("/orders", false)
            + """
            plugins:
              request-id: {}
            consumers:
              - name: mobile
                custom-id: app-7
            """;
    Run diff = run("diff", yaml);
    assertThat(diff.code()).isEqualTo(2);
    assertThat(diff.out())
        .contains("+ create plugins/request-id")
        .contains("+ create consumers/mobile");
    assertThat(run("apply", yaml).code()).isZero();
    assertThat(admin("/plugins").path("plugins").get(0).path("source").asText()).isEqualTo("api");
    assertThat(admin("/consumers").path("consumers").get(0).path("name").asText())
        .isEqualTo("mobile");
    assertThat(run("diff", yaml).code()).isZero();
    Run remove = run("apply", declared("/orders", false));
    assertThat(remove.out())
        .contains("- delete plugins/request-id")
        .contains("- delete consumers/mobile");
    assertThat(admin("/plugins").path("plugins").size()).isZero();
  }

  @Test
  void anInvalidFileIsReportedWithItsLinesAndNothingIsSent() throws Exception {
    String invalid =
        """
        services:
          - name: orders
            targets: [ "%s" ]
        routes:
          - name: orders
            paths: [ "orders/{id" ]
            service: order
        """
            .formatted(env.origin().authority());
    long auditBefore = admin("/audit").path("entries").size();
    Run diff = run("diff", invalid);
    assertThat(diff.code()).isEqualTo(1);
    assertThat(diff.err())
        .contains("declared.yaml:6:")
        .contains("declared.yaml:7:")
        .contains("did you mean \"orders\"")
        .contains("2 problems; nothing was sent to the gateway");
    Run apply = run("apply", invalid);
    assertThat(apply.code()).isEqualTo(1);
    assertThat(apply.out()).isEmpty();
    assertThat(admin("/config/versions").path("versions").size()).isZero();
    assertThat(admin("/audit").path("entries").size()).isEqualTo(auditBefore);
    assertThat(gw.get("/file/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void aChangeTheGatewayRefusesIsShownAtTheFilesLineAndAppliesNothing() throws Exception {
    // Relative paths resolve against each side's config directory: the CA bundle exists beside the
    // declared file, not beside the gateway's, so only the gateway finds the problem.
    Files.createDirectories(dir.resolve("certs"));
    Files.writeString(dir.resolve("certs/ca.pem"), "ca");
    String secureService =
        """
        services:
          - name: secure
            targets: [ "https://127.0.0.1:9" ]
            tls:
              ca: certs/ca.pem
        """;
    String secureRoute =
        """
          - name: secure
            paths: [ "/secure" ]
            service: secure
        """;
    String yaml = declared("/orders", true).replace("services:\n", secureService) + secureRoute;
    Run apply = run("apply", yaml);
    assertThat(apply.code()).as(apply.out()).isEqualTo(1);
    assertThat(apply.err())
        .contains("the gateway refused the changes (400); nothing was applied")
        .contains("declared.yaml:5:")
        .contains("services/secure $.tls.ca");
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(404);
    assertThat(admin("/config/versions").path("versions").size()).isZero();
  }

  /** A session of {@code diff}/{@code apply} on {@code yaml}, loaded and planned, not sent. */
  private record Planned(Declarative session, SyncPlan plan, StringWriter err) {}

  private Planned plan(String name, String yaml) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    AdminOptions options = new AdminOptions();
    options.adminUrl = gw.adminUri("").toString();
    options.token = TOKEN;
    StringWriter err = new StringWriter();
    Declarative session =
        new Declarative(
            file, options, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertThat(session.load()).as(err.toString()).isTrue();
    SyncPlan plan = session.plan(false);
    assertThat(plan).as(err.toString()).isNotNull();
    assertThat(plan.isEmpty()).isFalse();
    return new Planned(session, plan, err);
  }

  @Test
  void theSecondOfTwoAppliesPlannedAgainstTheSameVersionGets412AndAppliesNothing()
      throws Exception {
    Planned first = plan("first.yaml", declared("/orders", true));
    Planned second = plan("second.yaml", declared("/shop", true));

    assertThat(first.session().apply(first.plan())).isEqualTo(Declarative.Applied.APPLIED);
    int versions = admin("/config/versions").path("versions").size();
    Declarative.Applied raced = second.session().apply(second.plan());

    assertThat(raced).isEqualTo(Declarative.Applied.CONFLICT);
    assertThat(raced.exitCode()).isEqualTo(3);
    assertThat(second.err().toString())
        .contains("412 Precondition Failed")
        .contains("nothing was applied")
        .contains("portico diff");
    assertThat(admin("/config/versions").path("versions").size()).isEqualTo(versions);
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(200);
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(404);

    // Planned again, against the new version, the second file applies.
    Run again = run("apply", declared("/shop", true));
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(gw.get("/shop/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void aWrongTokenIsAFailureNotAChange() throws Exception {
    Path file = dir.resolve("declared.yaml");
    Files.writeString(file, declared("/orders", true));
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(new PrintWriter(new StringWriter(), true));
    cl.setErr(new PrintWriter(err, true));
    int code =
        cl.execute(
            "apply",
            "-f",
            file.toString(),
            "--admin-url",
            gw.adminUri("").toString(),
            "--token",
            "wrong");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("401");
    assertThat(gw.get("/orders/hello").statusCode()).isEqualTo(404);
  }
}
