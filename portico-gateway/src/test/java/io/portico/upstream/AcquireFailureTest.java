package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.portico.upstream.AcquireCallback.AcquireFailure;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class AcquireFailureTest {

  @Test
  void aConnectThatTimedOutIsAConnectTimeoutAndAnyOtherFailureAConnectFailure() {
    assertThat(AcquireFailure.ofConnect(new ConnectTimeoutException("connection timed out")))
        .isEqualTo(AcquireFailure.CONNECT_TIMEOUT);
    assertThat(AcquireFailure.ofConnect(new ConnectException("Connection refused")))
        .isEqualTo(AcquireFailure.CONNECT_FAILED);
    assertThat(AcquireFailure.ofConnect(null)).isEqualTo(AcquireFailure.CONNECT_FAILED);
  }
}
