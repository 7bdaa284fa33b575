package io.portico.plugins.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Limits counted in Redis, shared by every gateway instance: one {@code limit.lua} call per request
 * checks and counts every rule of the key atomically, on the Redis server's clock. The answer is
 * asynchronous; a call that outlives the configured timeout fails, and the caller applies its
 * {@link FailurePolicy}.
 */
final class RedisLimiter {

  static final RedisStore.Script SCRIPT = RedisStore.Script.of(resource("limit.lua"));

  private final RedisStore store;
  private final String prefix;
  private final long timeoutMillis;

  RedisLimiter(RedisStore store, RedisSettings settings, String name) {
    this.store = store;
    this.prefix = settings.prefix() + "rl:{" + name + ":";
    this.timeoutMillis = settings.timeout().toMillis();
  }

  CompletionStage<Decision> decide(String key, LimitRule[] rules, long cost, Counting counting) {
    String[] keys = new String[rules.length];
    String[] args = new String[2 + 4 * rules.length];
    args[0] = Long.toString(cost);
    args[1] = Integer.toString(counting.code());
    String base = prefix + key + "}:";
    for (int i = 0; i < rules.length; i++) {
      LimitRule r = rules[i];
      keys[i] = base + r.name();
      args[2 + 4 * i] = Integer.toString(r.algorithm().code());
      args[3 + 4 * i] = Long.toString(r.limit());
      args[4 + 4 * i] = Long.toString(r.windowMillis());
      args[5 + 4 * i] = Long.toString(r.burst());
    }
    return store.eval(SCRIPT, timeoutMillis, keys, args).thenApply(out -> decision(out, rules));
  }

  private static Decision decision(List<Object> out, LimitRule[] rules) {
    long[] remaining = new long[rules.length];
    long[] reset = new long[rules.length];
    for (int i = 0; i < rules.length; i++) {
      remaining[i] = (Long) out.get(2 + 2 * i);
      reset[i] = (Long) out.get(3 + 2 * i);
    }
    return new Decision((Long) out.get(0) == 1L, rules, remaining, reset, (Long) out.get(1));
  }

  static String resource(String name) {
    try (InputStream in = RedisLimiter.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
