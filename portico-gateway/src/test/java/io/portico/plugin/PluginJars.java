package io.portico.plugin;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Writes plugin jars: either only a service file naming factory classes of the test class path, or
 * ({@link #compiled}) a real plugin jar, with a factory compiled at test time from source, whose
 * class exists nowhere but in the jar.
 */
public final class PluginJars {

  private PluginJars() {}

  public static Path write(Path jar, Class<?>... factories) throws IOException {
    String[] names = new String[factories.length];
    for (int i = 0; i < factories.length; i++) {
      names[i] = factories[i].getName();
    }
    return write(jar, names);
  }

  /**
   * Compiles {@code source} (one public class named {@code className}, against the test class path)
   * with the system Java compiler and writes a jar holding its class files and a service file
   * naming it.
   */
  public static Path compiled(Path jar, String className, String source) throws IOException {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) {
      throw new IllegalStateException("tests need a JDK: no system Java compiler");
    }
    Path work = Files.createTempDirectory("plugin-src");
    Path src = work.resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, source);
    Path classes = Files.createDirectories(work.resolve("classes"));
    int rc =
        compiler.run(
            null,
            null,
            null,
            "-d",
            classes.toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "--release",
            "17",
            src.toString());
    if (rc != 0) {
      throw new IllegalStateException("could not compile " + className);
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out)) {
      for (Path file : files) {
        jarOut.putNextEntry(
            new JarEntry(classes.relativize(file).toString().replace(File.separatorChar, '/')));
        jarOut.write(Files.readAllBytes(file));
        jarOut.closeEntry();
      }
      jarOut.putNextEntry(new JarEntry("META-INF/services/io.portico.spi.plugin.PluginFactory"));
      jarOut.write((className + "\n").getBytes(StandardCharsets.UTF_8));
      jarOut.closeEntry();
    }
    return jar;
  }

  public static Path write(Path jar, String... factoryClassNames) throws IOException {
    StringBuilder services = new StringBuilder();
    for (String name : factoryClassNames) {
      services.append(name).append('\n');
    }
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream jarOut = new JarOutputStream(out)) {
      jarOut.putNextEntry(new JarEntry("META-INF/services/io.portico.spi.plugin.PluginFactory"));
      jarOut.write(services.toString().getBytes(StandardCharsets.UTF_8));
      jarOut.closeEntry();
    }
    return jar;
  }
}
