package io.portico.observe.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A scrape in the Prometheus text format, parsed into series for assertions. */
final class ScrapeText {

  /** One sample line: its metric name, labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final String text;

  ScrapeText(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        String inner = line.substring(brace + 1, line.lastIndexOf('}'));
        int i = 0;
        while (i < inner.length()) {
          int eq = inner.indexOf('=', i);
          String key = inner.substring(i, eq);
          int start = eq + 2;
          StringBuilder v = new StringBuilder();
          int j = start;
          while (inner.charAt(j) != '"') {
            if (inner.charAt(j) == '\\') {
              j++;
            }
            v.append(inner.charAt(j));
            j++;
          }
          labels.put(key, v.toString());
          i = j + 1;
          if (i < inner.length() && inner.charAt(i) == ',') {
            i++;
          }
        }
      } else {
        name = line.substring(0, line.indexOf(' '));
      }
      String[] rest = line.substring(line.lastIndexOf('}') + 1).trim().split(" ");
      String value = brace >= 0 ? rest[0] : line.substring(name.length()).trim().split(" ")[0];
      samples.add(new Sample(name, labels, Double.parseDouble(value)));
    }
  }

  String text() {
    return text;
  }

  /** The sum of every sample of {@code name} whose labels include {@code labels}. */
  double sum(String name, Map<String, String> labels) {
    return matching(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  double sum(String name, String... keyValues) {
    return sum(name, map(keyValues));
  }

  List<Sample> matching(String name, Map<String, String> labels) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
        out.add(s);
      }
    }
    return out;
  }

  List<Sample> matching(String name, String... keyValues) {
    return matching(name, map(keyValues));
  }

  /** Every metric name with at least one sample. */
  Set<String> names() {
    Set<String> out = new TreeSet<>();
    samples.forEach(s -> out.add(s.name()));
    return out;
  }

  int size() {
    return samples.size();
  }

  private static Map<String, String> map(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return m;
  }
}
