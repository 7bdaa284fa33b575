package io.portico.portal;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.PortalConfig;
import io.portico.store.DirectoryConfigStore;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The portal's document survives a restart: what was written is read back as it was. */
class PortalStoreTest {

  @TempDir Path dir;

  @Test
  void applicationsAreReadBackFromTheStore() throws Exception {
    String id;
    try (DirectoryConfigStore store = DirectoryConfigStore.open(dir, 10)) {
      Portal portal = Portal.open(store, PortalConfig.DEFAULTS, Clock.systemUTC());
      id = portal.createApplication("dana", "web shop", "<b>shop</b>").value().id();
    }
    try (DirectoryConfigStore store = DirectoryConfigStore.open(dir, 10)) {
      Portal portal = Portal.open(store, PortalConfig.DEFAULTS, Clock.systemUTC());
      PortalData.Application app = portal.application(id, "dana");
      assertThat(app).isNotNull();
      assertThat(app.name()).isEqualTo("web shop");
      assertThat(app.description()).isEqualTo("<b>shop</b>");
      assertThat(app.consumer()).isEqualTo("app-" + id);
      assertThat(portal.application(id, "someone-else")).isNull();
      assertThat(store.audit(10))
          .anyMatch(e -> e.action().startsWith("portal: create application"));
    }
  }
}
