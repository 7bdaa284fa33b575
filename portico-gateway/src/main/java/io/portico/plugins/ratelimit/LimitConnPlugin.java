package io.portico.plugins.ratelimit;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A configured {@code limit-conn}.
 *
 * <p>Each key with requests in flight or waiting has a {@link Slot}; every change to a slot runs
 * inside {@link ConcurrentHashMap#compute} on its key, which serialises them, and a slot left with
 * nothing in flight or waiting is removed, so memory follows the live keys only.
 *
 * <pre>
 *   ACCESS: free slot ─▶ HELD ─▶ proceed
 *           queue not full ─▶ WAITING ─▶ (a holder's LOG hands its slot over) ─▶ HELD ─▶ proceed
 *                                     └▶ (queue-timeout, on the exchange's loop) ─▶ refused
 *           otherwise ─▶ refused
 *   LOG (always runs): HELD ─▶ the slot goes to the next waiter, or is freed;
 *                      WAITING (the client left) ─▶ leaves the queue
 * </pre>
 */
final class LimitConnPlugin implements Plugin {

  private final LimitConnConfig config;
  private final HttpResponseStatus status;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final ExchangeKey<Ticket> ticketKey = ExchangeKey.of("limit-conn.ticket");

  LimitConnPlugin(LimitConnConfig config) {
    this.config = config;
    this.status = HttpResponseStatus.valueOf(config.status());
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.ACCESS, Phase.LOG);
  }

  @Override
  public Outcome access(Exchange exchange) {
    String key = config.key().keyOf(exchange);
    if (key == null && config.missingKeyUsesIp()) {
      key = KeySpec.ipKey(exchange);
    }
    if (key == null) {
      return refuse("limit-conn-key-missing", "The request lacks the value its limit counts by.");
    }
    Ticket ticket = new Ticket(key);
    exchange.set(ticketKey, ticket);
    slots.compute(key, (k, slot) -> admit(slot == null ? new Slot() : slot, ticket));
    switch (ticket.state) {
      case HELD:
        return Outcome.proceed();
      case WAITING:
        exchange
            .eventLoop()
            .schedule(
                () -> expire(ticket), config.queueTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return Outcome.await(ticket.granted);
      default:
        slots.computeIfPresent(key, (k, slot) -> slot.empty() ? null : slot);
        return refuse("limit-conn-exceeded", "Too many requests in flight.");
    }
  }

  @Override
  public void log(Exchange exchange) {
    Ticket ticket = exchange.get(ticketKey);
    if (ticket == null) {
      return;
    }
    Ticket[] next = new Ticket[1];
    slots.computeIfPresent(
        ticket.key,
        (k, slot) -> {
          if (ticket.state == State.HELD) {
            ticket.state = State.DONE;
            next[0] = slot.handOver();
          } else if (ticket.state == State.WAITING) {
            ticket.state = State.DONE;
            slot.waiting.remove(ticket);
          }
          return slot.empty() ? null : slot;
        });
    if (next[0] != null) {
      next[0].granted.complete(Outcome.proceed());
    }
  }

  private Slot admit(Slot slot, Ticket ticket) {
    if (slot.inFlight < config.max()) {
      slot.inFlight++;
      ticket.state = State.HELD;
    } else if (slot.waiting.size() < config.queue()) {
      slot.waiting.add(ticket);
      ticket.state = State.WAITING;
    } else {
      ticket.state = State.REFUSED;
    }
    return slot;
  }

  private void expire(Ticket ticket) {
    boolean[] expired = new boolean[1];
    slots.computeIfPresent(
        ticket.key,
        (k, slot) -> {
          if (ticket.state == State.WAITING) {
            ticket.state = State.REFUSED;
            slot.waiting.remove(ticket);
            expired[0] = true;
          }
          return slot.empty() ? null : slot;
        });
    if (expired[0]) {
      ticket.granted.complete(
          refuse("limit-conn-timeout", "No slot became free within the queue timeout."));
    }
  }

  private Reply refuse(String type, String detail) {
    return Reply.problem(status, type, status.reasonPhrase(), detail);
  }

  /** Where a request stands. Changed only inside {@code compute} on its key. */
  private enum State {
    HELD,
    WAITING,
    REFUSED,
    DONE
  }

  /** One request's claim on its key's slot. */
  private static final class Ticket {
    final String key;
    final CompletableFuture<Outcome> granted = new CompletableFuture<>();
    State state = State.REFUSED;

    Ticket(String key) {
      this.key = key;
    }
  }

  /** The requests of one key in flight and waiting. Changed only inside {@code compute}. */
  private static final class Slot {
    int inFlight;
    final ArrayDeque<Ticket> waiting = new ArrayDeque<>();

    /** Passes a finished holder's place to the first waiter, or frees it; returns the waiter. */
    Ticket handOver() {
      Ticket next = waiting.poll();
      if (next == null) {
        inFlight--;
      } else {
        next.state = State.HELD;
      }
      return next;
    }

    boolean empty() {
      return inFlight == 0 && waiting.isEmpty();
    }
  }
}
