package io.portico.config;

import io.portico.config.AccessLogConfig.FileSink;
import io.portico.config.AccessLogConfig.HttpSink;
import io.portico.config.AccessLogConfig.NatsSink;
import io.portico.config.AccessLogConfig.SinkConfig;
import io.portico.config.AccessLogConfig.StdoutSink;
import io.portico.config.AccessLogConfig.SyslogSink;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code runtime.access-log} into an {@link AccessLogConfig}, recording every problem with
 * its position: an unknown sink type (with a "did you mean"), a bad URL, a sample ratio outside 0
 * to 1, an unknown field, a file in a missing directory.
 *
 * <p>The short forms {@code stdout}, {@code off} and a file path stay valid: each is one sink with
 * the default fields. The long form is an object with {@code sinks} (a list whose items are objects
 * with a {@code type}, or the same short forms), {@code fields}, {@code sample} and {@code redact}.
 */
final class AccessLogSection {

  static final List<String> TYPES = List.of("file", "stdout", "http", "syslog", "nats");
  private static final Pattern SUBJECT = Pattern.compile("[^\\s*>]+(\\.[^\\s*>]+)*");
  private static final List<String> FACILITIES =
      List.of(
          "kern",
          "user",
          "mail",
          "daemon",
          "auth",
          "syslog",
          "lpr",
          "news",
          "uucp",
          "cron",
          "authpriv",
          "ftp");
  private static final String SHORT_FORM = "stdout, off, a file path, or an object with sinks";

  private final Problems problems;
  private final Path baseDir;

  AccessLogSection(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  AccessLogConfig parse(ConfigNode node) {
    if (node.isScalar()) {
      SinkConfig sink = shortForm(node, new HashSet<>());
      if (sink == null) {
        return node.text() != null && node.text().equals("off")
            ? AccessLogConfig.OFF
            : AccessLogConfig.DEFAULTS;
      }
      return AccessLogConfig.of(List.of(sink));
    }
    if (!node.isObject()) {
      problems.expected(node, SHORT_FORM);
      return AccessLogConfig.DEFAULTS;
    }
    ConfigReader r = ConfigReader.of(node, problems);
    List<SinkConfig> sinks = new ArrayList<>();
    Set<String> names = new HashSet<>();
    ConfigNode list = r.required("sinks", "a list of sinks");
    if (list != null) {
      if (!list.isList()) {
        problems.expected(list, "a list of sinks (objects with a type, or stdout or a file path)");
      } else {
        for (ConfigNode item : list.items()) {
          SinkConfig sink = item.isScalar() ? shortForm(item, names) : sink(item, names);
          if (sink != null) {
            sinks.add(sink);
          }
        }
      }
    }
    List<String> fields = fields(r.object("fields"));
    double ratio = 1.0;
    boolean keepErrors = true;
    ConfigNode sample = r.child("sample");
    if (sample != null) {
      if (sample.isScalar()) {
        ratio = ratio(sample);
      } else {
        ConfigReader s = ConfigReader.of(sample, problems);
        ConfigNode ratioNode = s.child("ratio");
        if (ratioNode != null) {
          ratio = ratio(ratioNode);
        }
        keepErrors = s.bool("keep-errors", true);
        s.finish();
      }
    }
    ConfigReader redact = r.object("redact");
    Set<String> headers = new LinkedHashSet<>(AccessLogConfig.DEFAULT_REDACT_HEADERS);
    for (ConfigNode h : names(redact, "headers")) {
      if (SectionReaders.TOKEN.matcher(h.scalarText()).matches()) {
        headers.add(h.scalarText().toLowerCase(Locale.ROOT));
      } else {
        problems.expected(h, "a header name such as X-Api-Key");
      }
    }
    Set<String> query = new LinkedHashSet<>(AccessLogConfig.DEFAULT_REDACT_QUERY);
    for (ConfigNode q : names(redact, "query")) {
      query.add(q.scalarText().toLowerCase(Locale.ROOT));
    }
    Set<String> body = new LinkedHashSet<>(AccessLogConfig.DEFAULT_REDACT_BODY);
    for (ConfigNode b : names(redact, "body")) {
      body.add(b.scalarText().toLowerCase(Locale.ROOT));
    }
    redact.finish();
    AccessLogConfig.BodyCapture capture = null;
    ConfigNode bodyNode = r.child("body");
    if (bodyNode != null) {
      capture = bodyCapture(bodyNode);
    }
    r.finish();
    return new AccessLogConfig(
        List.copyOf(sinks),
        fields,
        ratio,
        keepErrors,
        Set.copyOf(headers),
        Set.copyOf(query),
        capture,
        Set.copyOf(body));
  }

  /** The largest {@code body.max-size}: a line holds at most two bodies of this size. */
  static final long MAX_BODY_CAPTURE = 1024 * 1024;

  private static final Pattern MEDIA_RANGE =
      Pattern.compile("(\\*|[!#$%&'+.^_`|~0-9A-Za-z-]+)/(\\*?[!#$%&'+.^_`|~0-9A-Za-z-]*)");

  /** {@code body}: {@code true}, {@code false} or an object; null when off. */
  private AccessLogConfig.@Nullable BodyCapture bodyCapture(ConfigNode node) {
    if (node.isScalar()) {
      String text = node.text();
      if ("true".equals(text)) {
        return new AccessLogConfig.BodyCapture(
            true, true, 4096, AccessLogConfig.DEFAULT_BODY_TYPES, true);
      }
      if (!"false".equals(text)) {
        problems.expected(node, "true, false or an object with request, response and max-size");
      }
      return null;
    }
    ConfigReader b = ConfigReader.of(node, problems);
    if (!node.isObject()) {
      problems.expected(node, "true, false or an object with request, response and max-size");
      return null;
    }
    boolean request = b.bool("request", true);
    boolean response = b.bool("response", true);
    long maxSize = b.size("max-size", 4096, 1, MAX_BODY_CAPTURE);
    boolean allRoutes = b.bool("all-routes", true);
    List<String> types = new ArrayList<>();
    if (b.has("content-types")) {
      for (ConfigNode t : names(b, "content-types")) {
        String type = t.scalarText().toLowerCase(Locale.ROOT);
        if (MEDIA_RANGE.matcher(type).matches() && !type.equals("*/*") && !type.endsWith("/")) {
          types.add(type);
        } else {
          problems.expected(
              t,
              "a media type such as application/json, text/* or application/*+json (not */*:"
                  + " only textual bodies are captured)");
        }
      }
    } else {
      types.addAll(AccessLogConfig.DEFAULT_BODY_TYPES);
    }
    b.finish();
    if (!request && !response) {
      return null;
    }
    return new AccessLogConfig.BodyCapture(
        request, response, (int) maxSize, List.copyOf(types), allRoutes);
  }

  private List<ConfigNode> names(ConfigReader r, String key) {
    List<ConfigNode> out = new ArrayList<>();
    for (ConfigNode n : r.list(key)) {
      if (n.isScalar() && !n.scalarText().isEmpty()) {
        out.add(n);
      } else {
        problems.expected(n, "a name");
      }
    }
    return out;
  }

  /** {@code stdout}, {@code off} (null) or a file path. */
  private @Nullable SinkConfig shortForm(ConfigNode node, Set<String> names) {
    String text = node.text();
    if (text == null || text.isEmpty()) {
      problems.expected(node, SHORT_FORM);
      return null;
    }
    if (text.equals("off")) {
      return null;
    }
    if (text.equals("stdout")) {
      return new StdoutSink(unique(node, "stdout", names), AccessLogConfig.DEFAULT_QUEUE);
    }
    Path file = file(node);
    return file == null ? null : FileSink.simple(unique(node, "file", names), file);
  }

  private @Nullable Path file(ConfigNode node) {
    Path file = baseDir.resolve(node.text()).normalize();
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      problems.expected(
          node, "stdout, off or a file path in an existing directory; " + dir + " is not one");
      return null;
    }
    return file;
  }

  /** {@code name}, or the type followed by a number when another sink has it. */
  private String unique(ConfigNode node, String name, Set<String> names) {
    String candidate = name;
    for (int i = 2; names.contains(candidate); i++) {
      candidate = name + "-" + i;
    }
    names.add(candidate);
    return candidate;
  }

  private @Nullable SinkConfig sink(ConfigNode item, Set<String> names) {
    if (!item.isObject()) {
      problems.expected(item, "a sink: an object with a type (" + String.join(", ", TYPES) + ")");
      return null;
    }
    ConfigReader r = ConfigReader.of(item, problems);
    ConfigNode typeNode = r.required("type", "one of " + String.join(", ", TYPES));
    String type = typeNode == null || !typeNode.isScalar() ? null : typeNode.text();
    if (typeNode != null && (type == null || !TYPES.contains(type))) {
      String hint = type == null ? null : Suggestions.closest(type, TYPES);
      problems.at(
          typeNode,
          typeNode.describe()
              + " (expected: a sink type: "
              + String.join(", ", TYPES)
              + ")"
              + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
      type = null;
    }
    String name = null;
    ConfigNode nameNode = r.child("name");
    if (nameNode != null) {
      if (!nameNode.isScalar() || !SectionReaders.NAME.matcher(nameNode.text()).matches()) {
        problems.expected(nameNode, "a name of letters, digits, '.', '_' or '-'");
      } else if (names.contains(nameNode.text())) {
        problems.expected(nameNode, "a name no other sink of the access log has");
      } else {
        name = nameNode.text();
        names.add(name);
      }
    }
    if (type == null) {
      return null;
    }
    if (name == null) {
      name = unique(item, type, names);
    }
    int queue = r.integer("queue", AccessLogConfig.DEFAULT_QUEUE, 1, 10_000_000);
    SinkConfig sink =
        switch (type) {
          case "file" -> fileSink(r, name, queue);
          case "stdout" -> new StdoutSink(name, queue);
          case "http" -> httpSink(r, name, queue);
          case "syslog" -> syslogSink(r, name, queue);
          default -> natsSink(r, name, queue);
        };
    r.finish();
    return sink;
  }

  private @Nullable SinkConfig fileSink(ConfigReader r, String name, int queue) {
    ConfigNode pathNode = r.required("path", "a file path");
    Path path = null;
    if (pathNode != null) {
      if (!pathNode.isScalar() || pathNode.scalarText().isEmpty()) {
        problems.expected(pathNode, "a file path");
      } else {
        path = file(pathNode);
      }
    }
    ConfigReader rotate = r.object("rotate");
    long maxSize = rotate.size("max-size", 0, 1024, ConfigReader.MAX_SIZE);
    Duration interval =
        rotate.duration("interval", null, Duration.ofMillis(10), ConfigReader.MAX_DURATION);
    boolean compress = rotate.bool("compress", false);
    int keep = rotate.integer("keep", 0, 0, 100_000);
    Duration maxAge =
        rotate.duration("max-age", null, Duration.ofMillis(10), ConfigReader.MAX_DURATION);
    rotate.finish();
    return path == null
        ? null
        : new FileSink(name, queue, path, maxSize, interval, compress, keep, maxAge);
  }

  private @Nullable SinkConfig httpSink(ConfigReader r, String name, int queue) {
    URI url = url(r, "url", List.of("http", "https"), "an http:// or https:// URL of a collector");
    int batchSize = r.integer("batch-size", 100, 1, 100_000);
    Duration flush =
        r.duration("flush-interval", Duration.ofSeconds(1), Duration.ZERO, Duration.ofHours(1));
    int retries = r.integer("retries", 3, 0, 100);
    Duration backoff =
        r.duration("backoff", Duration.ofMillis(200), Duration.ofMillis(1), Duration.ofHours(1));
    Duration maxBackoff =
        r.duration(
            "max-backoff", Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofHours(1));
    Duration timeout =
        r.duration("timeout", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofHours(1));
    Map<String, String> headers = r.stringMap("headers");
    for (String h : headers.keySet()) {
      if (!SectionReaders.TOKEN.matcher(h).matches()) {
        r.expected("headers", "header names such as Authorization; " + h + " is not");
      }
    }
    return url == null
        ? null
        : new HttpSink(
            name,
            queue,
            url,
            batchSize,
            flush,
            retries,
            backoff,
            maxBackoff,
            timeout,
            Map.copyOf(headers));
  }

  private @Nullable SinkConfig syslogSink(ConfigReader r, String name, int queue) {
    String host = r.requiredString("host", "the syslog server's host name or address");
    String protocol = r.oneOf("protocol", "udp", List.of("udp", "tcp"));
    int port = r.integer("port", 514, 1, 65_535);
    int facility = 16;
    ConfigNode f = r.child("facility");
    if (f != null) {
      facility = facility(f);
    }
    String appName = r.string("app-name", "portico");
    if (appName == null || appName.isEmpty() || appName.length() > 48 || !printable(appName)) {
      r.expected("app-name", "1 to 48 printable ASCII characters without spaces");
      appName = "portico";
    }
    Duration timeout =
        r.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofHours(1));
    return host == null || host.isEmpty()
        ? null
        : new SyslogSink(name, queue, host, port, protocol, facility, appName, timeout);
  }

  private int facility(ConfigNode f) {
    String rule = "a facility: 0 to 23, " + String.join(", ", FACILITIES) + " or local0 to local7";
    String text = f.isScalar() ? f.scalarText().toLowerCase(Locale.ROOT) : "";
    int index = FACILITIES.indexOf(text);
    if (index >= 0) {
      return index;
    }
    if (text.matches("local[0-7]")) {
      return 16 + (text.charAt(5) - '0');
    }
    if (text.matches("[0-9]{1,2}") && Integer.parseInt(text) <= 23) {
      return Integer.parseInt(text);
    }
    problems.expected(f, rule);
    return 16;
  }

  private static boolean printable(String s) {
    return s.chars().allMatch(c -> c > 32 && c < 127);
  }

  private @Nullable SinkConfig natsSink(ConfigReader r, String name, int queue) {
    URI url = url(r, "url", List.of("nats", "tls"), "a nats:// URL such as nats://127.0.0.1:4222");
    String subject = r.requiredString("subject", "a subject such as portico.access");
    if (subject != null && !SUBJECT.matcher(subject).matches()) {
      r.expected("subject", "a subject without spaces or wildcards");
      subject = null;
    }
    Duration timeout =
        r.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofHours(1));
    return url == null || subject == null
        ? null
        : new NatsSink(name, queue, url.toString(), subject, timeout);
  }

  private @Nullable URI url(ConfigReader r, String key, List<String> schemes, String rule) {
    ConfigNode node = r.required(key, rule);
    if (node == null) {
      return null;
    }
    try {
      URI uri = node.isScalar() ? new URI(node.text()) : null;
      if (uri != null
          && uri.getScheme() != null
          && schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
          && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    problems.expected(node, rule);
    return null;
  }

  private double ratio(ConfigNode node) {
    String rule = "a sample ratio from 0 to 1, such as 0.1";
    if (node.isScalar()) {
      try {
        double v = Double.parseDouble(node.scalarText().trim());
        if (v >= 0 && v <= 1) {
          return v;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problems.expected(node, rule);
    return 1.0;
  }

  private List<String> fields(ConfigReader r) {
    List<String> known = new ArrayList<>(AccessLogConfig.DEFAULT_FIELDS);
    known.addAll(AccessLogConfig.OPTIONAL_FIELDS);
    List<String> out = new ArrayList<>();
    if (r.has("include")) {
      for (ConfigNode n : names(r, "include")) {
        if (n.scalarText().equals("defaults")) {
          out.addAll(AccessLogConfig.DEFAULT_FIELDS);
        } else if (known.contains(n.scalarText())) {
          out.add(n.scalarText());
        } else {
          unknownField(n, known);
        }
      }
    } else {
      out.addAll(AccessLogConfig.DEFAULT_FIELDS);
    }
    for (ConfigNode n : names(r, "exclude")) {
      if (known.contains(n.scalarText())) {
        out.remove(n.scalarText());
      } else {
        unknownField(n, known);
      }
    }
    r.finish();
    return List.copyOf(new LinkedHashSet<>(out));
  }

  private void unknownField(ConfigNode n, List<String> known) {
    String hint = Suggestions.closest(n.scalarText(), known);
    problems.at(
        n,
        n.describe()
            + " (expected: defaults or a field: "
            + String.join(", ", known)
            + ")"
            + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
  }
}
