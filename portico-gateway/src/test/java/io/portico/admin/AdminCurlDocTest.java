package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portico.testing.GatewayFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The curl calls of docs/admin-api.md's "First calls with curl" run as written, in order, against
 * the repository's bundled {@code portico.yaml} (its listener and admin addresses moved to free
 * ports, and the calls' {@code 127.0.0.1:8080} and {@code 127.0.0.1:9901} with them).
 *
 * <p>Each call is the {@code curl} command under a comment holding {@code (STATUS} and, after it, a
 * sketch of the answer's members: every member must be in the answer, and a member whose value is
 * written out ({@code "applied": true}, {@code "id": "mobile-2026"}, {@code "version": 1}) must
 * have that value; {@code ...} stands for any value.
 */
class AdminCurlDocTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HEADING = "## First calls with curl";
  private static final Pattern STATUS = Pattern.compile("\\((\\d{3})\\b");
  private static final Pattern MEMBER =
      Pattern.compile(
          "\"([\\w-]+)\": (\"[^\"]*\"|true|false|-?\\d+|\\[[^\\]]*]|\\{[^}]*}|\\.\\.\\.)");

  /** One documented call: the curl arguments and what the comment above it promises. */
  record Call(int line, List<String> args, int status, Map<String, String> members, String note) {}

  static List<Call> calls() throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("docs/admin-api.md"));
    int i = lines.indexOf(HEADING);
    assertThat(i).as("docs/admin-api.md has the heading " + HEADING).isNotNegative();
    while (!lines.get(i).equals("```sh")) {
      i++;
    }
    List<Call> calls = new ArrayList<>();
    String comment = null;
    int commentStatus = -1;
    for (i = i + 1; !lines.get(i).equals("```"); i++) {
      String line = lines.get(i);
      if (line.startsWith("#")) {
        Matcher status = STATUS.matcher(line);
        if (status.find()) {
          comment = line;
          commentStatus = Integer.parseInt(status.group(1));
        }
        continue;
      }
      if (!line.startsWith("curl ")) {
        continue;
      }
      int first = i;
      StringBuilder command = new StringBuilder();
      while (line.endsWith("\\")) {
        command.append(line, 0, line.length() - 1).append(' ');
        line = lines.get(++i);
      }
      command.append(line);
      assertThat(comment)
          .as("docs/admin-api.md:%d: a comment with (STATUS above", first + 1)
          .isNotNull();
      Map<String, String> members = new LinkedHashMap<>();
      Matcher m = MEMBER.matcher(comment.substring(comment.indexOf('(')));
      while (m.find()) {
        members.put(m.group(1), m.group(2));
      }
      calls.add(new Call(first + 1, words(command.toString()), commentStatus, members, comment));
      comment = null;
    }
    return calls;
  }

  /** The words of a shell command line, with its single and double quotes removed. */
  static List<String> words(String command) {
    List<String> out = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (char c : command.toCharArray()) {
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          out.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      out.add(word.toString());
    }
    return out;
  }

  @Test
  void theFirstCallsWithCurlWorkAsShownOnTheBundledConfig() throws Exception {
    String bundled = Files.readString(ROOT.resolve("portico.yaml"));
    String yaml =
        bundled
            .replace("  - address: 127.0.0.1:8080\n", "  - address: 127.0.0.1:0\n")
            .replace("  address: 127.0.0.1:9901\n", "  address: 127.0.0.1:0\n");
    assertThat(yaml.split("127\\.0\\.0\\.1:0\n", -1)).as("both addresses moved").hasSize(3);
    List<Call> calls = calls();
    assertThat(calls).hasSizeGreaterThanOrEqualTo(10);

    try (GatewayFixture gw = GatewayFixture.start(yaml)) {
      String proxy = "127.0.0.1:" + gw.port();
      String admin = "127.0.0.1:" + gw.adminUri("/").getPort();
      for (Call call : calls) {
        HttpResponse<String> r = gw.send(request(call, proxy, admin));
        String where = "docs/admin-api.md:" + call.line() + ": " + String.join(" ", call.args());

        assertThat(r.statusCode()).as(where + "\n" + r.body()).isEqualTo(call.status());
        if (call.note().contains("ETag")) {
          assertThat(r.headers().firstValue("etag")).as(where).isPresent();
        }
        if (call.members().isEmpty()) {
          continue;
        }
        JsonNode body = JSON.readTree(r.body());
        for (Map.Entry<String, String> member : call.members().entrySet()) {
          assertThat(body.has(member.getKey()))
              .as("%s: member %s in %s", where, member.getKey(), r.body())
              .isTrue();
          String shown = member.getValue();
          if (!shown.contains("...")) {
            assertThat(body.get(member.getKey()))
                .as("%s: member %s", where, member.getKey())
                .isEqualTo(JSON.readTree(shown));
          }
        }
      }
    }
  }

  @Test
  void shellWordsLoseTheirQuotes() {
    assertThat(words("curl -s -X PATCH 'http://h/r?dry_run=true' -d '{\"a\": 1}' -H \"X: y\""))
        .containsExactly(
            "curl",
            "-s",
            "-X",
            "PATCH",
            "http://h/r?dry_run=true",
            "-d",
            "{\"a\": 1}",
            "-H",
            "X: y");
  }

  /** The request curl would send for {@code call}, with the documented ports replaced. */
  private static HttpRequest.Builder request(Call call, String proxy, String admin) {
    String method = null;
    String body = null;
    String url = null;
    List<String> headers = new ArrayList<>();
    List<String> args = call.args();
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "-s", "-i" -> {}
        case "-X" -> method = args.get(++i);
        case "-H" -> headers.add(args.get(++i));
        case "-d" -> body = args.get(++i);
        default -> {
          assertThat(a)
              .as("docs/admin-api.md:%d: a curl option this test knows", call.line())
              .doesNotStartWith("-");
          url = a;
        }
      }
    }
    assertThat(url).as("docs/admin-api.md:%d: a URL", call.line()).isNotNull();
    String resolved = url.replace("127.0.0.1:8080", proxy).replace("127.0.0.1:9901", admin);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(resolved));
    for (String h : headers) {
      int colon = h.indexOf(':');
      b.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
    }
    String m = method != null ? method : body != null ? "POST" : "GET";
    String sent = body == null ? null : body.replace("127.0.0.1:8080", proxy);
    b.method(
        m,
        sent == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(sent));
    return b;
  }
}
