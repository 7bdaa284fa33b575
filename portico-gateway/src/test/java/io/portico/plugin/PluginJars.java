package io.portico.plugin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Writes plugin jars whose service file names factory classes of the test class path. */
public final class PluginJars {

  private PluginJars() {}

  public static Path write(Path jar, Class<?>... factories) throws IOException {
    String[] names = new String[factories.length];
    for (int i = 0; i < factories.length; i++) {
      names[i] = factories[i].getName();
    }
    return write(jar, names);
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
