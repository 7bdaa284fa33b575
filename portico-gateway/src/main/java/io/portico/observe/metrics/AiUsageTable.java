package io.portico.observe.metrics;

import io.portico.observe.ExchangeRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The AI gateway's usage since start per consumer and model (the model the client named, with the
 * provider that answered): calls, prompt and completion tokens, cost. Fed by every finished AI call
 * from the log phase; read by the admin API's {@code GET /ai/usage}. At most {@link #MAX_ROWS}
 * consumer and model pairs are kept apart; calls of further pairs are added to one row whose
 * consumer is {@code (other)}.
 *
 * <p>Thread-safe: rows are made once and counted into with adders from every event loop.
 */
public final class AiUsageTable {

  /** The most consumer and model pairs kept apart. */
  public static final int MAX_ROWS = 10_000;

  /** One consumer's use of one model through one provider, as counted so far. */
  public record Row(
      String consumer,
      String model,
      String provider,
      long calls,
      long promptTokens,
      long completionTokens,
      double cost) {}

  private record Key(String consumer, String model, String provider) {}

  private static final class Counts {
    final LongAdder calls = new LongAdder();
    final LongAdder prompt = new LongAdder();
    final LongAdder completion = new LongAdder();
    final DoubleAdder cost = new DoubleAdder();
  }

  private final ConcurrentHashMap<Key, Counts> rows = new ConcurrentHashMap<>();

  void record(@Nullable String consumer, ExchangeRecord.Ai ai) {
    String provider = ai.provider() == null ? "(none)" : ai.provider();
    Key key = new Key(consumer == null ? "(none)" : consumer, ai.model(), provider);
    Counts c = rows.get(key);
    if (c == null) {
      if (rows.size() >= MAX_ROWS) {
        key = new Key("(other)", ai.model(), provider);
      }
      c = rows.computeIfAbsent(key, k -> new Counts());
    }
    c.calls.increment();
    c.prompt.add(ai.promptTokens());
    c.completion.add(ai.completionTokens());
    if (ai.cost() > 0) {
      c.cost.add(ai.cost());
    }
  }

  /** The rows by consumer, then model, then provider. */
  public List<Row> rows() {
    List<Row> out = new ArrayList<>();
    rows.forEach(
        (k, c) ->
            out.add(
                new Row(
                    k.consumer(),
                    k.model(),
                    k.provider(),
                    c.calls.sum(),
                    c.prompt.sum(),
                    c.completion.sum(),
                    c.cost.sum())));
    out.sort(
        Comparator.comparing(Row::consumer).thenComparing(Row::model).thenComparing(Row::provider));
    return out;
  }
}
