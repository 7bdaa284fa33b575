package io.portico;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the repository's Markdown pages (the README, {@code docs/}, and the pages
 * under {@code examples/}, {@code bench/} and {@code observability/}) resolves: the file or folder
 * it names exists, and its {@code #anchor}, when it has one and points into a Markdown page, is a
 * heading of that page (GitHub's rule: lower case, punctuation dropped, spaces as hyphens, a repeat
 * suffixed {@code -1}, {@code -2}, ...) or an {@code <a id>} / {@code <a name>} in it.
 *
 * <p>Links inside code blocks and inline code are text, not links, and are not checked; links with
 * a scheme ({@code https:}, {@code mailto:}) are outside the repository and not fetched.
 */
class DocLinksTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~).*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`]*`");
  private static final Pattern LINK = Pattern.compile("]\\(<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern REFERENCE = Pattern.compile("^\\s*\\[[^]]+]:\\s+(\\S+)");
  private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
  private static final Pattern MARKDOWN_LINK_TEXT = Pattern.compile("\\[([^]]*)]\\([^)]*\\)");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  private final Map<Path, Set<String>> anchors = new HashMap<>();

  static List<Path> pages() throws IOException {
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    for (String dir : List.of("docs", "examples", "bench", "observability")) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(dir))) {
        files
            .filter(p -> p.toString().endsWith(".md"))
            .filter(p -> !p.toString().contains("/target/"))
            .sorted()
            .forEach(pages::add);
      }
    }
    return pages;
  }

  @Test
  void everyRelativeLinkOfTheDocsResolvesToAFileAndAHeading() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path page : pages()) {
      List<String> lines = Files.readAllLines(page);
      boolean code = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (FENCE.matcher(line).matches()) {
          code = !code;
          continue;
        }
        if (code) {
          continue;
        }
        String text = INLINE_CODE.matcher(line).replaceAll("");
        List<String> targets = new ArrayList<>();
        Matcher link = LINK.matcher(text);
        while (link.find()) {
          targets.add(link.group(1));
        }
        Matcher reference = REFERENCE.matcher(text);
        if (reference.find()) {
          targets.add(reference.group(1));
        }
        for (String target : targets) {
          if (SCHEME.matcher(target).find()) {
            continue;
          }
          checked++;
          String problem = problem(page, target);
          if (problem != null) {
            broken.add(
                ROOT.relativize(page) + ":" + (i + 1) + ": " + target + " (" + problem + ")");
          }
        }
      }
    }

    assertThat(checked).as("relative links checked").isGreaterThan(100);
    assertThat(broken).as("links that do not resolve").isEmpty();
  }

  @Test
  void anchorsFollowGitHubsHeadingRule() {
    assertThat(slug("Quick start")).isEqualTo("quick-start");
    assertThat(slug("`portico validate`: exit codes")).isEqualTo("portico-validate-exit-codes");
    assertThat(slug("Keys, defaults & bounds (v2)")).isEqualTo("keys-defaults--bounds-v2");
    assertThat(slug("See [routing](routing.md) first")).isEqualTo("see-routing-first");
  }

  /** Why {@code target}, linked from {@code page}, does not resolve; null when it does. */
  private String problem(Path page, String target) throws IOException {
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? "" : target.substring(hash + 1);
    Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
    if (!resolved.startsWith(ROOT)) {
      return "outside the repository";
    }
    if (!Files.exists(resolved)) {
      return "no such file: " + ROOT.relativize(resolved);
    }
    if (anchor.isEmpty() || !resolved.toString().endsWith(".md")) {
      return null;
    }
    Set<String> known = anchors.computeIfAbsent(resolved, DocLinksTest::anchorsOf);
    return known.contains(anchor)
        ? null
        : "no heading #" + anchor + " in " + ROOT.relativize(resolved);
  }

  private static Set<String> anchorsOf(Path page) {
    Set<String> out = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean code = false;
    try {
      for (String line : Files.readAllLines(page)) {
        if (FENCE.matcher(line).matches()) {
          code = !code;
          continue;
        }
        if (code) {
          continue;
        }
        Matcher heading = HEADING.matcher(line);
        if (heading.matches()) {
          String slug = slug(heading.group(2));
          int n = seen.merge(slug, 1, Integer::sum) - 1;
          out.add(n == 0 ? slug : slug + "-" + n);
        }
        Matcher html = HTML_ANCHOR.matcher(line);
        while (html.find()) {
          out.add(html.group(1));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /** GitHub's anchor for a heading: link text kept, lower case, only letters, digits, - and _. */
  static String slug(String heading) {
    String text = MARKDOWN_LINK_TEXT.matcher(heading.strip()).replaceAll("$1").toLowerCase();
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
              } else if (c == ' ') {
                out.append('-');
              }
            });
    return out.toString();
  }
}
