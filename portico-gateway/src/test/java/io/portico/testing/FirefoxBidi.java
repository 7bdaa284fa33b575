package io.portico.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's headless {@code firefox-esr} driven over the W3C WebDriver BiDi protocol, which Firefox
 * speaks natively: no geckodriver. The browser tests of the console and the portal use it to show
 * that the pages work in Firefox as in Chromium ({@link HeadlessChromium}).
 *
 * <p>Selenium's own {@code org.openqa.selenium.bidi.Connection} could carry raw commands, but its
 * modules (browsing context, script, log) are built on a {@code WebDriver} session, which needs a
 * driver; this client is the few commands the tests use, on {@link java.net.http.WebSocket} and
 * Jackson:
 *
 * <ul>
 *   <li>{@code session.new}, {@code session.subscribe} ({@code log.entryAdded}, {@code
 *       browsingContext.userPromptOpened}), {@code browser.close};
 *   <li>{@code browsingContext.getTree / navigate / reload / setViewport / captureScreenshot};
 *   <li>{@code script.evaluate / callFunction / addPreloadScript} (read the DOM);
 *   <li>{@code input.performActions} (a real mouse click on an element, real key presses).
 * </ul>
 *
 * <p><b>Process.</b> {@link #start} runs {@code firefox-esr --headless --profile DIR
 * --remote-debugging-port 0} with a fresh temporary profile: the browser picks a free port and
 * prints {@code WebDriver BiDi listening on ws://...}, read from its output (60 seconds at most),
 * and the client opens {@code ws://.../session}. A missing {@code /usr/bin/firefox-esr} skips the
 * calling test class (a JUnit assumption), unless the environment says {@code CI=true}: then it
 * fails, so that CI never passes without having run the browser.
 *
 * <p><b>Threading.</b> The test thread sends each command through the {@link BidiConnection}, whose
 * WebSocket listener thread completes the answers and records events (log entries, prompts) in
 * thread-safe lists. Each command waits 30 seconds at most.
 *
 * <p><b>Closing.</b> {@link #close} (also run by a shutdown hook when the JVM exits without it)
 * asks the browser to close, waits 5 seconds, then kills the process and all its descendants
 * forcibly and deletes the profile. A failed start closes what it started.
 *
 * <p>Errors: a script error or a refused load is logged by Firefox as a {@code log.entryAdded} of
 * level {@code error}; a Content-Security-Policy refusal raises a {@code securitypolicyviolation}
 * event in the page, which a preload script turns into a {@code console.error}, so that both reach
 * {@link #errors}.
 */
public final class FirefoxBidi implements AutoCloseable {

  public static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");

  /** WebDriver's key codes for {@link #keys}. */
  public static final String TAB = "\uE004";

  public static final String ENTER = "\uE007";

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING =
      Pattern.compile("WebDriver BiDi listening on (ws://\\S+)");
  private static final String CSP_REPORTER =
      """
      () => window.addEventListener('securitypolicyviolation', (e) =>
          console.error('Content-Security-Policy violation: ' + e.violatedDirective
              + ' refused ' + e.blockedURI))
      """;

  private final Process process;
  private final Path profile;
  private final Path shots;
  private final Thread hook = new Thread(this::kill, "firefox-kill");
  private final CompletableFuture<String> address = new CompletableFuture<>();
  private final Deque<String> output = new ArrayDeque<>();
  private BidiConnection bidi;
  private String context;
  private boolean closed;

  private FirefoxBidi(Process process, Path profile, Path shots) {
    this.process = process;
    this.profile = profile;
    this.shots = shots;
  }

  /**
   * Starts Firefox with a window {@code width} x {@code height} CSS pixels, saving screenshots
   * under {@code target/<shots>/}.
   */
  public static FirefoxBidi start(String shots, int width, int height) throws Exception {
    requireFirefox();
    Path dir = Path.of("target", shots);
    Files.createDirectories(dir);
    Path profile = Files.createTempDirectory("portico-firefox-");
    ProcessBuilder builder =
        new ProcessBuilder(
                FIREFOX.toString(),
                "--headless",
                "--no-remote",
                "--profile",
                profile.toString(),
                "--remote-debugging-port",
                "0",
                "about:blank")
            .redirectErrorStream(true);
    builder.environment().put("MOZ_HEADLESS", "1");
    builder.environment().put("MOZ_CRASHREPORTER_DISABLE", "1");
    FirefoxBidi firefox = new FirefoxBidi(builder.start(), profile, dir);
    try {
      Runtime.getRuntime().addShutdownHook(firefox.hook);
      firefox.readOutput();
      firefox.connect(width, height);
      return firefox;
    } catch (Throwable e) {
      firefox.close();
      throw e;
    }
  }

  /** Skips the caller without Firefox, or fails when {@code CI=true}. */
  static void requireFirefox() {
    if (Files.isExecutable(FIREFOX)) {
      return;
    }
    String missing = "Debian's firefox-esr is not installed at " + FIREFOX;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(missing + "; CI=true, so the browser tests must run");
    }
    Assumptions.abort(missing);
  }

  private void readOutput() {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                  synchronized (output) {
                    output.addLast(line);
                    if (output.size() > 40) {
                      output.removeFirst();
                    }
                  }
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    address.complete(m.group(1));
                  }
                }
              } catch (IOException ignored) {
                // the process is gone
              }
              address.completeExceptionally(
                  new IllegalStateException("firefox-esr exited:\n" + output()));
            },
            "firefox-output");
    reader.setDaemon(true);
    reader.start();
  }

  private String output() {
    synchronized (output) {
      return String.join("\n", output);
    }
  }

  private void connect(int width, int height) throws Exception {
    String url;
    try {
      url = address.get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("firefox-esr did not listen within 60 s:\n" + output());
    }
    bidi = BidiConnection.open(URI.create(url + "/session"), JSON);
    ObjectNode capabilities = JSON.createObjectNode();
    capabilities
        .putObject("alwaysMatch")
        .putObject("unhandledPromptBehavior")
        .put("default", "dismiss");
    send("session.new", JSON.createObjectNode().set("capabilities", capabilities));
    ObjectNode subscribe = JSON.createObjectNode();
    subscribe.putArray("events").add("log.entryAdded").add("browsingContext.userPromptOpened");
    send("session.subscribe", subscribe);
    send(
        "script.addPreloadScript",
        JSON.createObjectNode().put("functionDeclaration", CSP_REPORTER));
    context =
        send("browsingContext.getTree", JSON.createObjectNode()).at("/contexts/0/context").asText();
    resize(width, height);
  }

  /** Sends a command and answers its result; fails on an error answer or after 30 seconds. */
  public JsonNode send(String method, ObjectNode params) throws Exception {
    return bidi.send(method, params);
  }

  /** Sets the viewport to {@code width} x {@code height} CSS pixels. */
  public void resize(int width, int height) throws Exception {
    ObjectNode params = JSON.createObjectNode().put("context", context);
    params.putObject("viewport").put("width", width).put("height", height);
    send("browsingContext.setViewport", params);
  }

  /** Opens {@code url} and waits until its document has loaded. */
  public void navigate(String url) throws Exception {
    send(
        "browsingContext.navigate",
        JSON.createObjectNode().put("context", context).put("url", url).put("wait", "complete"));
  }

  public void reload() throws Exception {
    send(
        "browsingContext.reload",
        JSON.createObjectNode().put("context", context).put("wait", "complete"));
  }

  /**
   * Calls the JavaScript function {@code function} in the page with {@code args} (strings, numbers,
   * booleans) and answers its result, a promise awaited: a string, number ({@code Double}),
   * boolean, {@code null}, a {@code List} or a {@code Map}; a DOM node answers its BiDi remote
   * value.
   */
  public Object call(String function, Object... args) throws Exception {
    ObjectNode params =
        JSON.createObjectNode()
            .put("functionDeclaration", function)
            .put("awaitPromise", true)
            .put("resultOwnership", "none");
    params.putObject("target").put("context", context);
    ArrayNode arguments = params.putArray("arguments");
    for (Object arg : args) {
      ObjectNode value = arguments.addObject();
      if (arg instanceof String s) {
        value.put("type", "string").put("value", s);
      } else if (arg instanceof Number n) {
        value.put("type", "number").put("value", n.doubleValue());
      } else if (arg instanceof Boolean b) {
        value.put("type", "boolean").put("value", b);
      } else {
        throw new IllegalArgumentException("not a primitive: " + arg);
      }
    }
    JsonNode result = send("script.callFunction", params);
    if ("exception".equals(result.path("type").asText())) {
      throw new IllegalStateException(
          "the script threw: " + result.at("/exceptionDetails/text").asText());
    }
    return value(result.path("result"));
  }

  private static Object value(JsonNode remote) {
    JsonNode v = remote.path("value");
    return switch (remote.path("type").asText()) {
      case "string" -> v.asText();
      case "number" -> v.isNumber() ? v.asDouble() : v.asText();
      case "boolean" -> v.asBoolean();
      case "undefined", "null" -> null;
      case "array" -> {
        List<Object> list = new ArrayList<>();
        v.forEach(item -> list.add(value(item)));
        yield list;
      }
      case "object" -> {
        Map<String, Object> map = new LinkedHashMap<>();
        v.forEach(pair -> map.put(pair.get(0).asText(), value(pair.get(1))));
        yield map;
      }
      default -> remote;
    };
  }

  /**
   * Waits (20 seconds at most) until {@code function}, called with {@code args}, answers a truthy
   * value; fails saying {@code what} was awaited, with the page's heading and the errors logged.
   */
  public void waitUntil(String what, String function, Object... args) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String wrapped = "(...a) => Promise.resolve((" + function + ")(...a)).then((r) => !!r)";
    while (true) {
      Object ok;
      try {
        ok = call(wrapped, args);
      } catch (IllegalStateException e) {
        ok = false; // a navigation replaced the document under the call
      }
      if (Boolean.TRUE.equals(ok)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "waited "
                + WAIT.toSeconds()
                + " s for "
                + what
                + " at "
                + call(
                    "() => location.href + ' (h1: ' + document.querySelector('h1')?.innerText + ')'")
                + "; logged: "
                + bidi.log());
      }
      Thread.sleep(100);
    }
  }

  /** Waits until an element matching {@code css} is displayed. */
  public void visible(String css) throws Exception {
    waitUntil(
        css + " shown",
        "(css) => { const e = document.querySelector(css); return e && e.checkVisibility(); }",
        css);
  }

  /** Waits until some element matching {@code css} has {@code text} in its rendered text. */
  public void text(String css, String text) throws Exception {
    waitUntil(
        css + " showing \"" + text + "\"",
        "(css, t) => [...document.querySelectorAll(css)].some((e) => e.innerText.includes(t))",
        css,
        text);
  }

  /** Waits until the page's {@code h1} reads {@code heading}. */
  public void heading(String heading) throws Exception {
    waitUntil(
        "the heading " + heading,
        "(h) => document.querySelector('h1')?.innerText.trim() === h",
        heading);
  }

  /** The rendered text of the first element matching {@code css}, once shown. */
  public String textOf(String css) throws Exception {
    visible(css);
    return (String) call("(css) => document.querySelector(css).innerText", css);
  }

  /** How many elements match {@code css} now. */
  public int count(String css) throws Exception {
    return ((Double) call("(css) => document.querySelectorAll(css).length", css)).intValue();
  }

  /** Clicks the middle of the element matching {@code css} with the mouse, once shown. */
  public void click(String css) throws Exception {
    visible(css);
    ObjectNode params = JSON.createObjectNode();
    params.putObject("target").put("context", context);
    params.put(
        "functionDeclaration",
        "(css) => { const e = document.querySelector(css);"
            + " e.scrollIntoView({block: 'center'}); return e; }");
    params.putArray("arguments").addObject().put("type", "string").put("value", css);
    params.put("awaitPromise", false).put("resultOwnership", "root");
    JsonNode node = send("script.callFunction", params).path("result");
    ObjectNode actions = JSON.createObjectNode().put("context", context);
    ObjectNode mouse = actions.putArray("actions").addObject();
    mouse.put("type", "pointer").put("id", "mouse");
    mouse.putObject("parameters").put("pointerType", "mouse");
    ArrayNode steps = mouse.putArray("actions");
    ObjectNode move = steps.addObject().put("type", "pointerMove").put("x", 0).put("y", 0);
    move.putObject("origin")
        .put("type", "element")
        .putObject("element")
        .put("sharedId", node.path("sharedId").asText());
    steps.addObject().put("type", "pointerDown").put("button", 0);
    steps.addObject().put("type", "pointerUp").put("button", 0);
    send("input.performActions", actions);
  }

  /** Empties the field matching {@code css}, focuses it and types {@code text} with the keys. */
  public void type(String css, String text) throws Exception {
    visible(css);
    call("(css) => { const e = document.querySelector(css); e.value = ''; e.focus(); }", css);
    keys(text);
  }

  /** Chooses {@code value} in the {@code <select>} matching {@code css}, as a user would. */
  public void select(String css, String value) throws Exception {
    visible(css);
    call(
        "(css, v) => { const e = document.querySelector(css); e.value = v;"
            + " e.dispatchEvent(new Event('change', {bubbles: true})); }",
        css,
        value);
  }

  /** Presses and releases each key of {@code keys} (characters or {@link #TAB}, {@link #ENTER}). */
  public void keys(String keys) throws Exception {
    ObjectNode actions = JSON.createObjectNode().put("context", context);
    ObjectNode keyboard = actions.putArray("actions").addObject();
    keyboard.put("type", "key").put("id", "keyboard");
    ArrayNode steps = keyboard.putArray("actions");
    keys.codePoints()
        .forEach(
            c -> {
              String key = Character.toString(c);
              steps.addObject().put("type", "keyDown").put("value", key);
              steps.addObject().put("type", "keyUp").put("value", key);
            });
    send("input.performActions", actions);
  }

  /** The {@code id} of the focused element. */
  public String focused() throws Exception {
    return (String) call("() => document.activeElement?.id ?? ''");
  }

  /** Opens the console at {@code consoleUrl}, signs in and waits for the page's {@code heading}. */
  public void signIn(String consoleUrl, String name, String password, String heading)
      throws Exception {
    navigate(consoleUrl);
    type("#name", name);
    type("#password", password);
    click("#sign-in button[type=submit]");
    heading(heading);
  }

  /** Signs out (console or portal) and waits for the sign-in form. */
  public void signOut() throws Exception {
    click("#sign-out");
    visible("#sign-in");
  }

  /** Follows the console's navigation link to {@code page} and waits for its {@code heading}. */
  public void go(String page, String heading) throws Exception {
    click("a[data-page=" + page + "]");
    heading(heading);
  }

  /** Saves the page, scrolled to its top, as {@code target/<shots>/<name>.png}. */
  public Path screenshot(String name) throws Exception {
    call("() => window.scrollTo(0, 0)");
    JsonNode shot =
        send("browsingContext.captureScreenshot", JSON.createObjectNode().put("context", context));
    Path file = shots.resolve(name + ".png");
    Files.write(file, Base64.getDecoder().decode(shot.path("data").asText()));
    return file;
  }

  /**
   * The errors logged since the last call (reading empties them): failed scripts, failed loads,
   * console errors and Content-Security-Policy refusals.
   */
  public List<String> errors() {
    List<String> out = new ArrayList<>();
    for (String entry : bidi.log()) {
      if (entry.startsWith("error ") || entry.contains("Content-Security-Policy")) {
        out.add(entry);
      }
    }
    bidi.log().clear();
    return out;
  }

  /** Fails when the page opened an alert, a confirm or a prompt (dismissed when it did). */
  public void assertNoPrompt() {
    if (!bidi.prompts().isEmpty()) {
      throw new AssertionError("a script opened a prompt: " + bidi.prompts());
    }
  }

  /** The browser process, to check that {@link #close} ended it. */
  public ProcessHandle process() {
    return process.toHandle();
  }

  public Path profile() {
    return profile;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (bidi != null) {
      try {
        send("browser.close", JSON.createObjectNode());
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // killed below
      }
      bidi.abort();
    }
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }

  private void kill() {
    List<ProcessHandle> tree = process.descendants().toList();
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(10, TimeUnit.SECONDS);
      for (ProcessHandle child : tree) {
        child.onExit().get(10, TimeUnit.SECONDS);
      }
    } catch (Exception ignored) {
      // deleting the profile is still worth a try
    }
    try (Stream<Path> files = Files.walk(profile)) {
      for (Iterator<Path> it = files.sorted(Comparator.reverseOrder()).iterator(); it.hasNext(); ) {
        Files.deleteIfExists(it.next());
      }
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }
}
