package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.api.Encoding;
import io.netty.handler.codec.http.HttpHeaders;
import io.portico.spi.plugin.Identity;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The tokens of one request: the prompt counted with the tokenizer before the call, the estimate
 * charged to the route's token limits ({@link TokenBudget}), the usage the provider reported or,
 * where it reported none or its stream was cut, the gateway's own count ({@link CountedStream} for
 * streams), and the settlement: the reservation settled with the real count and the call's {@link
 * AiUsage} made, exactly once. Confined to the exchange's event loop.
 */
final class TokenAccounting {

  private final AiPlan plan;
  private final ClientRequest request;
  private long promptTokens = -1;
  private long answerTokens = -1;
  private Usage usage = Usage.UNKNOWN;
  private @Nullable CountedStream counted;
  private TokenBudget.@Nullable Reservation reservation;
  private boolean settled;

  TokenAccounting(AiPlan plan, ClientRequest request) {
    this.plan = plan;
    this.request = request;
  }

  /** The prompt's tokens as the tokenizer counts them, counted once. */
  long promptTokens() {
    if (promptTokens < 0) {
      Encoding enc = TokenCounter.encoding(request.model().name());
      promptTokens =
          request.operation() == ClientRequest.Operation.EMBEDDINGS
              ? TokenCounter.embeddingsInput(enc, request.body())
              : TokenCounter.chatPrompt(enc, request.body());
    }
    return promptTokens;
  }

  /**
   * The completion tokens a request may use: its maximum, or the configured estimate, for each of
   * the {@code n} choices it asks for (as OpenAI counts {@code max_tokens × n} against its own
   * limits): {@code n: 100} answers a hundred completions for the price of one estimate otherwise.
   */
  private long completionAllowance() {
    if (request.operation() != ClientRequest.Operation.CHAT) {
      return 0;
    }
    long each = plan.budget().completionEstimate();
    for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
      JsonNode n = request.body().get(field);
      if (n != null && n.canConvertToLong() && n.asLong() > 0) {
        // capped: a client's max_tokens near Long.MAX_VALUE must not overflow the estimate to a
        // negative charge, which every limit would admit and count as tokens given back
        each = Math.min(n.asLong(), Usage.MAX_COUNT);
        break;
      }
    }
    JsonNode n = request.body().get("n");
    long choices = n != null && n.canConvertToLong() && n.asLong() > 1 ? n.asLong() : 1;
    return each > Usage.MAX_COUNT / choices ? Usage.MAX_COUNT : each * choices;
  }

  /** Charges the call's estimate to the token limits. */
  CompletionStage<TokenBudget.Reservation> reserve(
      @Nullable Identity identity, @Nullable String route) {
    return plan.budget()
        .reserve(
            identity,
            route,
            request.model().name(),
            Usage.sum(promptTokens(), completionAllowance()));
  }

  /** The reservation made; its refusal, or null when the call may go. */
  @Nullable AiError reserved(TokenBudget.Reservation r) {
    reservation = r;
    return r.refusal();
  }

  /** The limits' headers ({@code X-RateLimit-*} of the tightest limit), when any were charged. */
  void headers(HttpHeaders headers) {
    if (reservation != null) {
      reservation.headers(headers);
    }
  }

  /** Wraps a provider's stream translator in the gateway's count of the answer. */
  StreamTranslator counting(StreamTranslator translator, String providerModel) {
    CountedStream c =
        new CountedStream(translator, TokenCounter.encoding(providerModel), request.usageChunk());
    counted = c;
    return c;
  }

  /** The usage a provider reported (or {@link Usage#UNKNOWN}). */
  void reported(Usage u) {
    usage = u;
  }

  /** A whole chat answer: its usage, and the answer's own count when the provider gave none. */
  void answered(ObjectNode completion, String providerModel) {
    usage = Usage.ofOpenAi(completion.get("usage"));
    if (request.operation() == ClientRequest.Operation.CHAT && usage.completionTokens() < 0) {
      answerTokens = TokenCounter.chatAnswer(TokenCounter.encoding(providerModel), completion);
    }
  }

  /** The client left mid-call: what was streamed so far is what it used. */
  void clientLeft() {
    if (counted != null) {
      usage = counted.usage();
    }
  }

  /**
   * The call's tokens: the provider's where it reported them, the gateway's count otherwise.
   *
   * @param answered whether a provider answered (no tokens otherwise)
   */
  Usage tokens(boolean answered) {
    Usage u = usage;
    if (!answered) {
      return u;
    }
    if (request.operation() == ClientRequest.Operation.EMBEDDINGS
        && u.promptTokens() >= 0
        && u.completionTokens() < 0) {
      u = new Usage(u.promptTokens(), 0, u.promptTokens());
    }
    if (u.promptTokens() < 0 || u.completionTokens() < 0) {
      long answer = counted != null ? counted.answerTokens() : Math.max(0, answerTokens);
      long prompt = u.promptTokens() >= 0 ? u.promptTokens() : promptTokens();
      long completion = u.completionTokens() >= 0 ? u.completionTokens() : answer;
      u = new Usage(prompt, completion, Usage.sum(prompt, completion));
    }
    return u;
  }

  /**
   * Settles the reservation with the real count and makes the call's record; null when already
   * settled.
   */
  @Nullable AiUsage settle(
      AiPlan.@Nullable Target answered,
      double firstEventMillis,
      int attempts,
      double elapsedMillis) {
    if (settled) {
      return null;
    }
    settled = true;
    Usage u = tokens(answered != null);
    boolean estimated =
        answered != null
            && (usage.promptTokens() < 0 || usage.completionTokens() < 0)
            && !(request.operation() == ClientRequest.Operation.EMBEDDINGS
                && usage.promptTokens() >= 0);
    if (reservation != null) {
      reservation.settle(answered == null ? 0 : u.totalTokens());
    }
    double cost =
        answered == null ? -1 : plan.prices().cost(answered.provider().name(), answered.model(), u);
    return new AiUsage(
        request.model().name(),
        answered == null ? null : answered.provider().name(),
        answered == null ? null : answered.model(),
        request.stream(),
        u,
        firstEventMillis,
        attempts,
        estimated,
        cost,
        elapsedMillis);
  }
}
