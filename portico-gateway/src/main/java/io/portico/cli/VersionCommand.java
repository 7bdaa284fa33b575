package io.portico.cli;

import io.portico.app.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code portico version}: prints the version, the Java runtime and the I/O transport. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Callable<Integer> {

  @picocli.CommandLine.Mixin HelpOption help = new HelpOption();

  @Override
  public Integer call() {
    System.out.println("portico " + Version.current());
    System.out.println(
        "java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")");
    System.out.println("transport " + io.portico.proxy.Transport.detect().name());
    return 0;
  }
}
