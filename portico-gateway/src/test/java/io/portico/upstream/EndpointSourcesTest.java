package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.config.DiscoverySpec;
import io.portico.spi.config.ConfigReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle of endpoint sources across compiles: unchanged ones are kept without a restart,
 * changed and removed ones close once the new snapshot is active, a rejected compile closes only
 * what it created, and shutdown closes everything.
 */
class EndpointSourcesTest {

  /** A kind whose settings are a name; counts the sources it makes, optionally failing to start. */
  static final class CountingKind implements EndpointSourceKind<String> {
    final List<CountingSource> created = new ArrayList<>();

    @Override
    public String name() {
      return "counting";
    }

    @Override
    public String parse(ConfigReader service) {
      return service.string("counting", "");
    }

    @Override
    public EndpointSource create(String settings, Context context) {
      CountingSource s = new CountingSource(settings);
      created.add(s);
      return s;
    }
  }

  static final class CountingSource extends PublishingEndpointSource {
    final String settings;
    int starts;
    int closes;

    CountingSource(String settings) {
      this.settings = settings;
    }

    @Override
    public void start() {
      starts++;
      if (settings.equals("broken")) {
        throw new IllegalStateException("registry unreachable");
      }
    }

    @Override
    protected void onClose() {
      closes++;
    }
  }

  private final CountingKind kind = new CountingKind();
  private final List<String> problems = new ArrayList<>();

  private DiscoverySpec spec(String settings) {
    return new DiscoverySpec(kind, settings);
  }

  private EndpointSourceKind.Context context(String service) {
    return new EndpointSourceKind.Context() {
      @Override
      public String service() {
        return service;
      }

      @Override
      public void problem(String key, String message) {
        problems.add(service + "." + key + ": " + message);
      }
    };
  }

  @Test
  void keepsAnUnchangedSourceRunningAndReplacesAChangedOneAfterActivation() {
    EndpointSources sources = new EndpointSources();
    sources.begin();
    EndpointSource users = sources.source("users", spec("v1"), context("users"));
    EndpointSource orders = sources.source("orders", spec("v1"), context("orders"));
    sources.activate();

    sources.begin();
    EndpointSource usersAgain = sources.source("users", spec("v1"), context("users"));
    EndpointSource ordersChanged = sources.source("orders", spec("v2"), context("orders"));
    assertThat(((CountingSource) orders).closes).as("closed only once activated").isZero();
    sources.activate();

    assertThat(usersAgain).isSameAs(users);
    assertThat(((CountingSource) users).starts).isEqualTo(1);
    assertThat(((CountingSource) users).closes).isZero();
    assertThat(ordersChanged).isNotSameAs(orders);
    assertThat(((CountingSource) orders).closes).isEqualTo(1);
    assertThat(((CountingSource) ordersChanged).starts).isEqualTo(1);
    assertThat(sources.running()).containsOnlyKeys("users", "orders");
  }

  @Test
  void closesTheSourceOfARemovedService() {
    EndpointSources sources = new EndpointSources();
    sources.begin();
    CountingSource users = (CountingSource) sources.source("users", spec("v1"), context("users"));
    sources.activate();

    sources.begin();
    sources.activate();

    assertThat(users.closes).isEqualTo(1);
    assertThat(users.status().state()).isEqualTo(EndpointSource.State.CLOSED);
    assertThat(sources.running()).isEmpty();
  }

  @Test
  void aDiscardedCompileClosesOnlyTheSourcesItCreated() {
    EndpointSources sources = new EndpointSources();
    sources.begin();
    CountingSource users = (CountingSource) sources.source("users", spec("v1"), context("users"));
    sources.activate();

    sources.begin();
    sources.source("users", spec("v1"), context("users"));
    CountingSource created =
        (CountingSource) sources.source("orders", spec("v1"), context("orders"));
    sources.discard();

    assertThat(created.closes).isEqualTo(1);
    assertThat(users.closes).isZero();
    assertThat(sources.running()).containsOnlyKeys("users");
  }

  @Test
  void reportsASourceThatFailsToStartAsAProblemOfItsService() {
    EndpointSources sources = new EndpointSources();
    sources.begin();

    EndpointSource source = sources.source("users", spec("broken"), context("users"));

    assertThat(problems)
        .containsExactly(
            "users.discovery: \"counting\" (expected: an endpoint source that starts; it failed:"
                + " registry unreachable)");
    assertThat(kind.created.get(0).closes).isEqualTo(1);
    assertThat(source.endpoints()).isEmpty();
  }

  @Test
  void closesEverySourceAtShutdown() {
    EndpointSources sources = new EndpointSources();
    sources.begin();
    sources.source("users", spec("v1"), context("users"));
    sources.activate();
    sources.begin();
    sources.source("users", spec("v1"), context("users"));
    sources.source("orders", spec("v1"), context("orders"));

    sources.close();
    sources.close();

    assertThat(kind.created).hasSize(2).allSatisfy(s -> assertThat(s.closes).isEqualTo(1));
  }
}
