package io.portico.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Location;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a YAML or JSON document into a tree of located {@link ConfigNode}s.
 *
 * <p>The flow of one load:
 *
 * <pre>
 *   file or text ─▶ Jackson streaming parser (YAML, or JSON for *.json / a leading '{')
 *                ─▶ ConfigNode tree: every node with its file:line:column and its path
 *                   (routes[2].paths[0]); scalars keep their text, quoted ones are flagged
 *                ─▶ ${ENV} interpolation of scalar values
 * </pre>
 *
 * <p>Nothing here throws on bad input: a syntax error, a duplicate key, an unset variable or an
 * unreadable file becomes a {@link Problem} in the returned {@link LoadResult}. On a syntax error
 * the tree is null and only that error is reported, since whatever follows it is unreliable.
 *
 * <p>Interpolation: {@code ${NAME}} is replaced by the variable's value, {@code ${NAME:-default}}
 * by the default when the variable is unset or empty, and {@code $${} writes a literal {@code ${}.
 * Only values are interpolated, never keys. The environment is a function so that tests can supply
 * their own; {@link #system()} reads the process environment.
 *
 * <p>A loader holds no per-load state: one instance may be used by several threads.
 */
public final class ConfigLoader {

  /** How a duplicate-key problem starts; the node it names is the first one, which is kept. */
  static final String DUPLICATE_KEY = "duplicate key \"";

  /** Nesting deeper than this is a mistake, and would only exhaust the stack. */
  private static final int MAX_DEPTH = 64;

  private static final Pattern YAML_MARK =
      Pattern.compile("^ in '[^']*', line (\\d+), column (\\d+):$", Pattern.MULTILINE);

  private final Function<String, String> env;
  private final JsonFactory jsonFactory = new JsonFactory();
  private final YAMLFactory yamlFactory = new YAMLFactory();

  /** A loader reading variables through {@code env}, which returns null for an unset variable. */
  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /** A loader reading variables from {@code env}. */
  public static ConfigLoader withEnvironment(Map<String, String> env) {
    return new ConfigLoader(env::get);
  }

  /** A loader reading variables from the process environment. */
  public static ConfigLoader system() {
    return withEnvironment(System.getenv());
  }

  /** Loads a file; its name as given is the source of every location. */
  public LoadResult load(Path file) {
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return unreadable(
          source,
          "no such file",
          (file.isAbsolute() ? "" : "; looked for " + file.toAbsolutePath().normalize())
              + NearbyFile.hint(file));
    } catch (AccessDeniedException e) {
      return unreadable(source, "permission denied", "");
    } catch (CharacterCodingException e) {
      return unreadable(source, "not UTF-8 text", "");
    } catch (IOException e) {
      return Files.isDirectory(file)
          ? unreadable(source, "a directory", NearbyFile.inDirectory(file))
          : unreadable(source, e.toString(), "");
    }
    return load(text, source);
  }

  /**
   * Loads a document held in memory (tests, the admin API). The format is JSON when {@code
   * sourceName} ends with {@code .json} or the text starts with {@code '{'}, YAML otherwise.
   */
  public LoadResult load(String text, String sourceName) {
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    boolean json =
        sourceName.toLowerCase(Locale.ROOT).endsWith(".json")
            || text.stripLeading().startsWith("{");
    Problems problems = new Problems();
    ConfigNode root;
    try (JsonParser parser =
        json ? jsonFactory.createParser(text) : yamlFactory.createParser(text)) {
      root = new TreeBuilder(parser, sourceName, text, json, problems).document();
    } catch (JsonProcessingException e) {
      Problems syntax = new Problems();
      syntax.add(json ? jsonSyntaxProblem(e, sourceName) : yamlSyntaxProblem(e, sourceName, text));
      return new LoadResult(null, syntax, text);
    } catch (IOException | RuntimeException e) {
      Problems failed = new Problems();
      failed.add(
          new Problem(
              new Location(sourceName, 1, 1),
              "",
              "unreadable document (expected: valid " + (json ? "JSON" : "YAML") + "): " + e));
      return new LoadResult(null, failed, text);
    }
    return new LoadResult(root, problems, text);
  }

  /**
   * A file that could not be read, as {@code portico.yaml: no such file (expected: a readable YAML
   * or JSON file; looked for /srv/portico.yaml; did you mean portico.yml?)}: named first, as every
   * other problem is, since it has no line to point at.
   */
  private static LoadResult unreadable(String source, String what, String fix) {
    Problems problems = new Problems();
    problems.add(
        new Problem(
            new Location(source, 0, 0),
            "",
            source + ": " + what + " (expected: a readable YAML or JSON file" + fix + ")"));
    return new LoadResult(null, problems, "");
  }

  private static Problem jsonSyntaxProblem(JsonProcessingException e, String source) {
    JsonLocation at = e.getLocation();
    Location location =
        at == null
            ? new Location(source, 1, 1)
            : new Location(source, Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
    return new Problem(location, "", JsonErrors.message(e) + " (expected: valid JSON)");
  }

  /**
   * SnakeYAML's message is "context, mark, problem, mark", each mark followed by a snippet of the
   * document. The problem mark is the last one; the context tells where the construct began.
   */
  private static Problem yamlSyntaxProblem(JsonProcessingException e, String source, String text) {
    String raw = e.getOriginalMessage() == null ? "invalid YAML" : e.getOriginalMessage();
    List<String> messages = new ArrayList<>();
    for (String line : raw.split("\n")) {
      if (!line.isBlank() && !line.startsWith(" ")) {
        messages.add(line.strip());
      }
    }
    List<int[]> marks = new ArrayList<>();
    Matcher m = YAML_MARK.matcher(raw);
    while (m.find()) {
      marks.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
    }
    Location location;
    if (!marks.isEmpty()) {
      int[] last = marks.get(marks.size() - 1);
      location = new Location(source, last[0], last[1]);
    } else if (e.getLocation() != null) {
      location =
          new Location(
              source,
              Math.max(1, e.getLocation().getLineNr()),
              Math.max(1, e.getLocation().getColumnNr()));
    } else {
      location = new Location(source, 1, 1);
    }
    String message;
    if (messages.size() >= 2 && marks.size() >= 2) {
      int[] context = marks.get(0);
      message =
          messages.get(messages.size() - 1)
              + ", "
              + messages.get(0)
              + " that began at line "
              + context[0]
              + ", column "
              + context[1];
    } else {
      message = messages.isEmpty() ? "invalid YAML" : messages.get(messages.size() - 1);
    }
    String indentation =
        indentationError(message) ? IndentationHint.of(text, location.line()) : null;
    if (indentation != null) {
      return new Problem(
          location,
          "",
          indentation
              + " (expected: valid YAML; indent it as the key it belongs with, and check that each"
              + " key is followed by a colon and a space; the YAML parser said: "
              + message
              + ")");
    }
    return new Problem(location, "", message + " (expected: valid YAML" + yamlHint(message) + ")");
  }

  /** What usually causes a YAML syntax error of this kind, and how to fix it. */
  private static String yamlHint(String message) {
    if (message.contains("TAB")) {
      return "; indent with spaces, never tabs";
    }
    if (message.contains("exceeds the limit")) {
      return "; the YAML reader takes at most 3 MiB: write a config this large as JSON, which has"
          + " no such limit";
    }
    boolean flow = message.contains("flow sequence") || message.contains("flow mapping");
    if (flow && message.contains("<stream end>")) {
      return "; close the [ or { that began there";
    }
    if (flow) {
      return "; quote a value inside [ ] or { } that holds { } [ ] , or :, such as"
          + " \"/users/{id}\"";
    }
    if (indentationError(message)) {
      return "; check this line's indentation against the lines above it, and that each key"
          + " is followed by a colon and a space";
    }
    return "";
  }

  /** Whether SnakeYAML's message is of the kind a misplaced indentation causes. */
  private static boolean indentationError(String message) {
    return message.contains("expected <block end>")
        || message.contains("mapping values are not allowed")
        || message.contains("could not find expected ':'");
  }

  /** Builds the tree of one document from the token stream. */
  private final class TreeBuilder {

    private final JsonParser parser;
    private final String source;
    private final String text;
    private final boolean json;
    private final Problems problems;
    private final int[] lineStarts;
    private final Interpolator interpolator = new Interpolator(env);

    TreeBuilder(JsonParser parser, String source, String text, boolean json, Problems problems) {
      this.parser = parser;
      this.source = source;
      this.text = text;
      this.json = json;
      this.problems = problems;
      this.lineStarts = lineStarts(text);
    }

    ConfigNode document() throws IOException {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return ConfigNode.emptyObject("", new Location(source, 1, 1));
      }
      ConfigNode root = value(first, "", 0);
      if (parser.nextToken() != null) {
        problems.add(
            new Problem(
                location(),
                "",
                "a second document (expected: one "
                    + (json ? "JSON value" : "YAML document")
                    + " per file)"));
      }
      return root;
    }

    private ConfigNode value(JsonToken token, String path, int depth) throws IOException {
      Location location = location();
      if (depth > MAX_DEPTH
          && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
        problems.add(
            new Problem(
                location,
                path,
                "nested too deeply (expected: at most " + MAX_DEPTH + " levels of nesting)"));
        parser.skipChildren();
        return ConfigNode.nullNode(path, location);
      }
      switch (token) {
        case START_OBJECT:
          return object(path, location, depth);
        case START_ARRAY:
          return list(path, location, depth);
        case VALUE_NULL:
          return ConfigNode.nullNode(path, location);
        case VALUE_STRING:
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
        case VALUE_TRUE:
        case VALUE_FALSE:
          return scalar(token, path, location);
        default:
          problems.add(
              new Problem(
                  location, path, "an unsupported value (expected: a string, number or boolean)"));
          return ConfigNode.nullNode(path, location);
      }
    }

    private ConfigNode object(String path, Location location, int depth) throws IOException {
      Map<String, ConfigNode> fields = new LinkedHashMap<>();
      Map<String, Location> keyLocations = new LinkedHashMap<>();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        Location keyLocation = location();
        String childPath = path.isEmpty() ? key : path + "." + key;
        ConfigNode child = value(parser.nextToken(), childPath, depth + 1);
        Location first = keyLocations.get(key);
        if (first != null) {
          problems.add(
              new Problem(
                  keyLocation,
                  childPath,
                  DUPLICATE_KEY
                      + key
                      + "\" (expected: each key once per object; first at line "
                      + first.line()
                      + ", column "
                      + first.column()
                      + ")"));
        } else {
          keyLocations.put(key, keyLocation);
          fields.put(key, child);
        }
      }
      return ConfigNode.object(path, location, fields, keyLocations);
    }

    private ConfigNode list(String path, Location location, int depth) throws IOException {
      List<ConfigNode> items = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
        items.add(value(token, path + "[" + items.size() + "]", depth + 1));
      }
      return ConfigNode.list(path, location, items);
    }

    private ConfigNode scalar(JsonToken token, String path, Location location) throws IOException {
      String raw = parser.getText();
      boolean quoted = token == JsonToken.VALUE_STRING && (json || startsQuoted(location));
      if (!json && ((YAMLParser) parser).isCurrentAlias()) {
        problems.add(
            new Problem(
                location,
                path,
                "*" + raw + " (expected: a value written out; YAML aliases are not supported)"));
        return ConfigNode.scalar(path, location, raw, quoted);
      }
      Interpolator.Result result = interpolator.apply(raw);
      String error = result.error();
      String text = result.text();
      if (error != null || text == null) {
        if (error != null) {
          problems.add(new Problem(location, path, error));
        }
        return ConfigNode.scalar(path, location, raw, quoted);
      }
      return ConfigNode.scalar(path, location, text, quoted);
    }

    /** Whether the YAML scalar at {@code location} is written as a string literal. */
    private boolean startsQuoted(Location location) {
      int offset = offsetOf(location);
      if (offset < 0 || offset >= text.length()) {
        return false;
      }
      char c = text.charAt(offset);
      return c == '"' || c == '\'' || c == '|' || c == '>';
    }

    /** SnakeYAML counts columns in code points; this maps them back to a char offset. */
    private int offsetOf(Location location) {
      if (location.line() < 1 || location.line() > lineStarts.length) {
        return -1;
      }
      int start = lineStarts[location.line() - 1];
      try {
        return text.offsetByCodePoints(start, location.column() - 1);
      } catch (IndexOutOfBoundsException e) {
        return -1;
      }
    }

    private Location location() {
      JsonLocation at = parser.currentTokenLocation();
      return new Location(source, Math.max(1, at.getLineNr()), Math.max(1, at.getColumnNr()));
    }
  }

  private static int[] lineStarts(String text) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        starts.add(i + 1);
      } else if (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n')) {
        starts.add(i + 1);
      }
    }
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }
}
