package io.portico.aggregate;

import io.netty.buffer.ByteBuf;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** How an {@link Aggregation} ended: an answer for the client, or a failure to render. */
public sealed interface AggregateResult {

  /**
   * The answer: the merged JSON object, or (one backend) what the backend sent.
   *
   * @param contentType the body's type, or null when the backend sent none
   * @param body owned by the receiver, which must write or release it
   * @param failed the backends that failed, in config order (under {@code partial}); empty when all
   *     succeeded
   */
  record Answer(int status, @Nullable String contentType, ByteBuf body, List<String> failed)
      implements AggregateResult {}

  /**
   * The aggregate failed: strict mode with a failed backend, or a required backend failed, or the
   * one backend of a one-backend aggregate did not answer.
   *
   * @param timeout whether a failure that decided it was a timeout (504 rather than 502)
   * @param detail one sentence naming the failed backends, for the problem's {@code detail}
   * @param failuresJson the JSON object naming each failed backend ({@code {"orders": {"service":
   *     "orders", "status": 503, "cause": "upstream_status", "detail": "..."}}}), for the problem's
   *     {@code failures} member
   */
  record Failed(boolean timeout, String detail, String failuresJson, List<String> failed)
      implements AggregateResult {}
}
