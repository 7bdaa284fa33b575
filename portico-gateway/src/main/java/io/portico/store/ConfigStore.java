package io.portico.store;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where the versions of the object layer and the audit log are kept, so that a restart serves what
 * the admin API wrote. {@link DirectoryConfigStore} keeps them in a local directory; a store shared
 * by several gateways implements the same interface.
 *
 * <p>Implementations are thread-safe. The gateway serialises writes; {@link #commit} may still
 * refuse a version whose number is not the next one, for stores shared between processes.
 */
public interface ConfigStore extends AutoCloseable {

  /** The newest version, or empty when nothing was ever written. */
  Optional<ConfigVersion> latest();

  /** The versions kept, newest first. */
  List<ConfigVersion> versions();

  /** The version numbered {@code number}, if it is kept. */
  Optional<ConfigVersion> version(long number);

  /**
   * Makes {@code version} the newest, durably: when this returns, a restart finds it.
   *
   * @throws IOException when it could not be written; the store is as before
   * @throws IllegalStateException when {@code version.number()} is not one more than the newest
   */
  void commit(ConfigVersion version) throws IOException;

  /** Appends to the audit log. */
  void audit(AuditEntry entry) throws IOException;

  /** The newest {@code max} audit entries, newest first. */
  List<AuditEntry> audit(int max);

  /**
   * A document kept beside the config under {@code name} (such as the console's accounts), or empty
   * when it was never written.
   *
   * @throws IOException when it exists but cannot be read
   */
  Optional<byte[]> document(String name) throws IOException;

  /**
   * Replaces the document {@code name} durably and atomically: when this returns a restart reads
   * the new content, and a crash leaves the old or the new one, never a torn file.
   *
   * @throws IOException when it could not be written; the old content stays
   */
  void putDocument(String name, byte[] content) throws IOException;

  @Override
  void close();
}
