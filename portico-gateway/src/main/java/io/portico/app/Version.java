package io.portico.app;

/** The version Portico was built as, from the jar manifest or a build resource. */
public final class Version {

  private Version() {}

  public static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    try (var in = Version.class.getResourceAsStream("/portico-version.txt")) {
      if (in != null) {
        return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
      }
    } catch (java.io.IOException e) {
      // fall through
    }
    return "dev";
  }
}
