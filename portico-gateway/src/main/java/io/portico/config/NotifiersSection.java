package io.portico.config;

import io.portico.config.AlertsConfig.NotifierType;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses {@code alerts.notifiers} for {@link AlertsSection} into {@link AlertsConfig.Notifier}s,
 * recording every problem with its position: a missing or unknown type, a URL on the wrong type or
 * not http(s), a secret on a notifier that is not a webhook or one that cannot be read, a bad
 * header name, a name used twice. Secret files are read here, relative to the config's directory.
 */
final class NotifiersSection {

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private final Problems problems;
  private final Path baseDir;

  NotifiersSection(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  /** The notifiers of {@code items}, the entries of {@code alerts.notifiers}. */
  List<AlertsConfig.Notifier> parse(List<ConfigNode> items) {
    List<AlertsConfig.Notifier> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (ConfigNode item : items) {
      ConfigReader r = ConfigReader.of(item, problems);
      String name = AlertsSection.name(r, "a notifier name such as ops-webhook");
      String typeText = r.oneOf("type", null, List.of("webhook", "slack", "log"));
      if (typeText == null && !r.has("type")) {
        r.expected("type", "type: webhook, slack or log");
      }
      NotifierType type =
          typeText == null ? null : NotifierType.valueOf(typeText.toUpperCase(Locale.ROOT));
      URI url = null;
      if (type == NotifierType.WEBHOOK || type == NotifierType.SLACK) {
        if (r.required("url", "an http or https URL") != null) {
          url = r.value("url", null, "an http or https URL", (text, n) -> url(text));
        }
      } else if (r.has("url")) {
        SectionReaders.at(r, "url", "url on a log notifier (expected: no url)");
      }
      String secret = r.string("secret", null);
      Path secretFile = null;
      ConfigNode secretFileNode = r.child("secret-file");
      if (secretFileNode != null) {
        if (secret != null) {
          SectionReaders.at(r, "secret-file", "secret and secret-file (expected: one of them)");
        } else {
          secretFile = baseDir.resolve(r.string("secret-file", "")).normalize();
          secret = readSecret(secretFileNode, secretFile);
        }
      }
      if (secret != null && type != NotifierType.WEBHOOK) {
        SectionReaders.at(
            r,
            r.has("secret") ? "secret" : "secret-file",
            "a secret on a " + typeText + " notifier (expected: only webhooks are signed)");
      }
      if (secret != null && secret.isEmpty()) {
        r.expected(r.has("secret") ? "secret" : "secret-file", "a non-empty secret");
      }
      Map<String, String> headers = r.stringMap("headers");
      ConfigNode headersNode = r.child("headers");
      if (headersNode != null && headersNode.isObject()) {
        for (Map.Entry<String, ConfigNode> e : headersNode.fields().entrySet()) {
          if (!TOKEN.matcher(e.getKey()).matches()) {
            problems.at(e.getValue(), '"' + e.getKey() + "\" (expected: a header name)");
          }
        }
      }
      Duration timeout =
          r.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(1));
      int retries = r.integer("retries", 3, 0, 10);
      Duration backoff =
          r.duration(
              "backoff", Duration.ofMillis(500), Duration.ofMillis(1), Duration.ofMinutes(1));
      int queue = r.integer("queue", 1000, 1, 100_000);
      r.finish();
      if (name == null || type == null) {
        continue;
      }
      if (!seen.add(name)) {
        problems.expected(item, "a notifier name used once (" + name + " is used before)");
        continue;
      }
      out.add(
          new AlertsConfig.Notifier(
              name, type, url, secret, secretFile, headers, timeout, retries, backoff, queue));
    }
    return out;
  }

  private @Nullable String readSecret(ConfigNode node, Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      problems.expected(node, "a readable file holding the secret; " + file + " cannot be read");
      return null;
    }
  }

  static @Nullable URI url(String text) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getRawFragment() != null) {
        return null;
      }
      return uri;
    } catch (URISyntaxException e) {
      return null;
    }
  }
}
