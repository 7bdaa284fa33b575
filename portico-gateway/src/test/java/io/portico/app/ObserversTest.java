package io.portico.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import org.junit.jupiter.api.Test;

/** The chain of observers: it wants a record while one of them does. */
class ObserversTest {

  /** Wants records while {@code wanting} is set. */
  private static final class Probe implements ExchangeObserver {
    boolean wanting;

    @Override
    public void onExchangeComplete(ExchangeRecord record) {}

    @Override
    public boolean wantsRecords() {
      return wanting;
    }
  }

  @Test
  void chainWantsRecordsWhileAnyOfItsObserversDoes() {
    Probe first = new Probe();
    Probe second = new Probe();
    ExchangeObserver chain = Observers.both(first, Observers.both(second, new Probe()));
    assertThat(chain.wantsRecords()).isFalse();
    second.wanting = true;
    assertThat(chain.wantsRecords()).isTrue();
    second.wanting = false;
    first.wanting = true;
    assertThat(chain.wantsRecords()).isTrue();
  }

  /** Reads the request id unless told not to. */
  private static final class IdProbe implements ExchangeObserver {
    final boolean readsId;

    IdProbe(boolean readsId) {
      this.readsId = readsId;
    }

    @Override
    public void onExchangeComplete(ExchangeRecord record) {}

    @Override
    public boolean readsRequestId() {
      return readsId;
    }
  }

  @Test
  void chainReadsTheRequestIdWhenOneOfItsObserversDoes() {
    assertThat(Observers.both(new IdProbe(false), new IdProbe(false)).readsRequestId()).isFalse();
    assertThat(Observers.both(new IdProbe(false), new IdProbe(true)).readsRequestId()).isTrue();
    assertThat(Observers.both(new IdProbe(true), new IdProbe(false)).readsRequestId()).isTrue();
    // one that wants no record now does not count
    Probe idle = new Probe();
    assertThat(Observers.both(new IdProbe(false), idle).readsRequestId()).isFalse();
  }

  @Test
  void noneLeavesTheOtherObserverAsItIs() {
    Probe only = new Probe();
    assertThat(Observers.both(only, ExchangeObserver.NONE)).isSameAs(only);
    assertThat(Observers.both(ExchangeObserver.NONE, only)).isSameAs(only);
    assertThat(Observers.combine(null, only)).isSameAs(only);
    assertThat(Observers.withMetrics(null, only)).isSameAs(only);
  }
}
