package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state, list and listeners a source keeps for its kind. */
class PublishingEndpointSourceTest {

  private static final Endpoint A = endpoint(9001);
  private static final Endpoint B = endpoint(9002);

  private static Endpoint endpoint(int port) {
    return new Endpoint(new InetSocketAddress("127.0.0.1", port), "127.0.0.1:" + port, 1);
  }

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    void advance(int seconds) {
      now = now.plusSeconds(seconds);
    }
  }

  private static final class Source extends PublishingEndpointSource {
    int closes;

    Source(Clock clock) {
      super(clock);
    }

    void set(List<Endpoint> endpoints) {
      publish(endpoints);
    }

    void fail(String reason) {
      failed(reason);
    }

    @Override
    protected void onClose() {
      closes++;
    }
  }

  @Test
  void goesFromStartingToReadyAndTellsListenersOnlyWhenTheListChanges() {
    TestClock clock = new TestClock();
    Source source = new Source(clock);
    List<List<Endpoint>> seen = new ArrayList<>();
    source.addListener(s -> seen.add(s.endpoints()));
    assertThat(source.status().state()).isEqualTo(EndpointSource.State.STARTING);

    clock.advance(1);
    source.set(List.of(A, B));
    List<Endpoint> first = source.endpoints();
    clock.advance(1);
    source.set(List.of(A, B));

    assertThat(seen).containsExactly(List.of(A, B));
    assertThat(source.endpoints()).as("an equal list keeps its identity").isSameAs(first);
    assertThat(source.status())
        .isEqualTo(
            new EndpointSource.Status(
                EndpointSource.State.READY,
                Instant.parse("2026-01-01T00:00:01Z"),
                2,
                null,
                Instant.parse("2026-01-01T00:00:02Z")));
  }

  @Test
  void keepsTheLastEndpointsAsStaleWhenTheRegistryFailsAndRecovers() {
    TestClock clock = new TestClock();
    Source source = new Source(clock);
    source.set(List.of(A));
    clock.advance(5);

    source.fail("connection refused");
    clock.advance(5);
    source.fail("timed out");

    assertThat(source.endpoints()).containsExactly(A);
    assertThat(source.status())
        .isEqualTo(
            new EndpointSource.Status(
                EndpointSource.State.STALE,
                Instant.parse("2026-01-01T00:00:05Z"),
                1,
                "timed out",
                Instant.parse("2026-01-01T00:00:00Z")));

    source.set(List.of(A));

    assertThat(source.status().state()).isEqualTo(EndpointSource.State.READY);
    assertThat(source.status().lastError()).isNull();
  }

  @Test
  void isEmptyWhenTheRegistryListsNoneOrFailsBeforeAFirstList() {
    Source failing = new Source(new TestClock());
    failing.fail("no such service");
    Source none = new Source(new TestClock());
    none.set(List.of());

    assertThat(failing.status().state()).isEqualTo(EndpointSource.State.EMPTY);
    assertThat(failing.status().lastError()).isEqualTo("no such service");
    assertThat(none.status().state()).isEqualTo(EndpointSource.State.EMPTY);
    assertThat(none.endpoints()).isEmpty();
  }

  @Test
  void closesOnceStopsPublishingAndStillAnswersItsLastList() {
    Source source = new Source(new TestClock());
    source.set(List.of(A));
    List<EndpointSource> told = new ArrayList<>();
    source.addListener(told::add);

    source.close();
    source.close();
    source.set(List.of(B));

    assertThat(source.closes).isEqualTo(1);
    assertThat(source.status().state()).isEqualTo(EndpointSource.State.CLOSED);
    assertThat(source.endpoints()).containsExactly(A);
    assertThat(told).isEmpty();
  }

  @Test
  void aFailingListenerDoesNotKeepOthersFromBeingTold() {
    Source source = new Source(new TestClock());
    List<EndpointSource> told = new ArrayList<>();
    source.addListener(
        s -> {
          throw new IllegalStateException("listener bug");
        });
    source.addListener(told::add);

    source.set(List.of(A));

    assertThat(told).containsExactly(source);
  }

  @Test
  void aStaticSourceIsReadyWithItsTargetsFromTheStart() {
    StaticEndpointSource source = new StaticEndpointSource(List.of(A, B));

    assertThat(source.endpoints()).containsExactly(A, B);
    assertThat(source.status().state()).isEqualTo(EndpointSource.State.READY);
    assertThat(new StaticEndpointSource(List.of()).status().state())
        .isEqualTo(EndpointSource.State.EMPTY);
  }
}
