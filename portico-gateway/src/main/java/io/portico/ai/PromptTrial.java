package io.portico.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.AiConfig;
import io.portico.config.AiRouteOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * One call of a prompt template that is not published yet (the admin API's {@code POST /ai/try}
 * with a draft): the template is filled with the variables exactly as a prompt route fills it
 * ({@link PromptTemplate}), the chat request goes to the model's targets in config order through
 * each provider's own adapter and key, and the answer is made the body a client of the route would
 * get. No route, plugin, guard, cache or token limit is involved, and nothing is counted: a
 * published route runs the whole AI path ({@code POST /ai/try} with {@code route}).
 *
 * <p>Blocking (the JDK HTTP client): call it off the event loops. A target that fails (a refused or
 * exhausted key, a 5xx, no answer within the model's timeout) hands over to the next.
 */
public final class PromptTrial {

  /**
   * What the client of the route would get.
   *
   * @param provider the provider that answered, or null when none did
   */
  public record Answer(int status, String contentType, String body, @Nullable String provider) {}

  private PromptTrial() {}

  /**
   * Runs {@code prompt} of {@code ai} once with {@code variables} (a JSON object, or null for
   * none); {@code env} reads the environment variables that provider keys name.
   */
  public static Answer run(
      AiConfig ai,
      AiRouteOptions.Prompt prompt,
      @Nullable JsonNode variables,
      HttpClient client,
      Function<String, @Nullable String> env)
      throws InterruptedException {
    PromptTemplate template = new PromptTemplate(prompt);
    PromptTemplate.Built built = template.request(variables, null);
    ObjectNode request = built.request();
    if (request == null) {
      return error(built.error(), null);
    }
    Optional<AiConfig.Model> model =
        ai.models().stream().filter(m -> m.name().equals(prompt.model())).findFirst();
    if (model.isEmpty()) {
      return error(OpenAiFront.modelNotFound(prompt.model()), null);
    }
    String failures = "";
    for (AiConfig.Target target : model.get().targets()) {
      AiConfig.Provider provider = ai.provider(target.provider()).orElse(null);
      if (provider == null) {
        continue;
      }
      ProviderAdapter adapter = AiPlan.Compiler.adapter(provider);
      ProviderAdapter.Request call = adapter.chat(request, target.model(), false);
      HttpHeaders headers = new DefaultHttpHeaders();
      adapter.authorize(headers, key(provider, env));
      String host = provider.address().getHostString();
      URI uri =
          URI.create(
              (provider.tls() ? "https://" : "http://")
                  + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
                  + ":"
                  + provider.address().getPort()
                  + call.pathAndQuery());
      HttpRequest.Builder out =
          HttpRequest.newBuilder(uri)
              .timeout(model.get().timeout())
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(call.body())));
      for (Map.Entry<String, String> h : headers) {
        out.header(h.getKey(), h.getValue());
      }
      HttpResponse<String> answer;
      try {
        answer =
            client.send(out.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        failures += provider.name() + ": no answer; ";
        continue;
      }
      JsonNode body = Json.parse(answer.body());
      int status = answer.statusCode();
      if (status == 429 || status >= 500 || status == 401 || status == 403) {
        failures += provider.name() + ": " + status + "; ";
        continue;
      }
      if (status / 100 != 2) {
        String message = adapter.errorMessage(body);
        return error(
            AiError.refused(status, provider.name(), message == null ? "HTTP " + status : message),
            provider.name());
      }
      ObjectNode completion;
      try {
        if (body == null) {
          throw new ProviderAdapter.InvalidAnswer("answered a body that is not JSON");
        }
        completion = adapter.chatAnswer(body, target.model());
      } catch (ProviderAdapter.InvalidAnswer e) {
        return error(
            AiError.badProvider(provider.name(), String.valueOf(e.getMessage())), provider.name());
      }
      PromptTemplate.Answer result = template.answer(completion);
      byte[] bytes = result.body();
      if (bytes == null) {
        return error(result.error(), provider.name());
      }
      return new Answer(
          200, result.contentType(), new String(bytes, StandardCharsets.UTF_8), provider.name());
    }
    return error(
        AiError.allFailed(
            prompt.model(), failures.isEmpty() ? "no target" : failures.replaceAll("; $", "")),
        null);
  }

  /** The provider's first key that can be read now, or null for a provider without keys. */
  private static @Nullable String key(
      AiConfig.Provider provider, Function<String, @Nullable String> env) {
    for (AiConfig.Key k : provider.keys()) {
      String value = null;
      if (k.value() != null) {
        value = k.value();
      } else if (k.variable() != null) {
        value = env.apply(k.variable());
      } else if (k.file() != null) {
        try {
          value = Files.readString(k.file(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          value = null;
        }
      }
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }

  private static Answer error(@Nullable AiError error, @Nullable String provider) {
    AiError e =
        error != null
            ? error
            : new AiError(
                HttpResponseStatus.BAD_GATEWAY,
                AiError.SERVER_ERROR,
                null,
                "invalid_model_output",
                "The model gave no answer.");
    return new Answer(e.status().code(), "application/json", Json.text(e.json()), provider);
  }
}
