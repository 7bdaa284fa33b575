package io.portico.plugin;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes the plugin instances of a snapshot ({@link io.portico.spi.plugin.Plugin#close()}). */
public final class PluginInstances {

  private static final Logger log = LoggerFactory.getLogger(PluginInstances.class);

  private PluginInstances() {}

  /**
   * Closes every instance, in reverse order of creation. A plugin whose {@code close()} throws is
   * logged, and the others are closed all the same; nothing is thrown (but a virtual machine
   * error).
   *
   * @param instances the instances in order of creation
   * @param snapshot the version of the config they were made for, for the log
   */
  public static void close(List<PluginChain.Entry> instances, String snapshot) {
    List<PluginChain.Entry> reversed = new ArrayList<>(instances);
    Collections.reverse(reversed);
    for (PluginChain.Entry e : reversed) {
      try {
        e.plugin().close();
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable failure) {
        log.warn(
            "plugin {} ({}) of config {} failed to close",
            e.name(),
            e.plugin().getClass().getName(),
            snapshot,
            failure);
      }
    }
  }
}
