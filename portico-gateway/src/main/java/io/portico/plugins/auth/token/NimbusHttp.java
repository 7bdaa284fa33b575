package io.portico.plugins.auth.token;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Sends a request built by the Nimbus OAuth 2.0 SDK with the JDK HTTP client, asynchronously, and
 * hands back the SDK's response type (status, headers such as {@code WWW-Authenticate}, body) for
 * its parsers. Completes with null when the server could not be reached, timed out or sent more
 * than {@link #MAX_BODY} bytes; never exceptionally.
 */
final class NimbusHttp {

  static final int MAX_BODY = 256 * 1024;

  private NimbusHttp() {}

  static CompletableFuture<HTTPResponse> send(
      HttpClient client, HTTPRequest nimbus, Duration timeout) {
    return send(client, nimbus, timeout, failure -> {});
  }

  /**
   * As {@link #send(HttpClient, HTTPRequest, Duration)}, telling {@code onFailure} why it completes
   * with null (the exception's class and message, or the answer that could not be read), for a
   * caller that logs it.
   */
  static CompletableFuture<HTTPResponse> send(
      HttpClient client, HTTPRequest nimbus, Duration timeout, Consumer<String> onFailure) {
    HttpRequest.Builder request = HttpRequest.newBuilder(nimbus.getURI()).timeout(timeout);
    String body = nimbus.getBody();
    if (nimbus.getMethod() == HTTPRequest.Method.POST) {
      request.POST(
          HttpRequest.BodyPublishers.ofString(body == null ? "" : body, StandardCharsets.UTF_8));
    } else {
      request.GET();
    }
    for (Map.Entry<String, List<String>> h : nimbus.getHeaderMap().entrySet()) {
      for (String v : h.getValue()) {
        request.header(h.getKey(), v);
      }
    }
    request.header("Accept", "application/json");
    return client
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            response -> {
              HTTPResponse converted = convert(response);
              if (converted == null) {
                onFailure.accept(
                    response.body().length > MAX_BODY
                        ? "its answer is over " + MAX_BODY / 1024 + " KiB"
                        : "its answer's Content-Type cannot be read");
              }
              return converted;
            })
        .exceptionally(
            e -> {
              onFailure.accept(reason(e));
              return null;
            });
  }

  /**
   * The cause of a failed exchange, as a log line names it: "timed out", "refused", or its class.
   */
  private static String reason(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof HttpTimeoutException) {
      return "no answer within the timeout";
    }
    if (cause instanceof ConnectException) {
      return "the connection failed (" + cause.getClass().getSimpleName() + ")";
    }
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static @Nullable HTTPResponse convert(HttpResponse<byte[]> response) {
    if (response.body().length > MAX_BODY) {
      return null;
    }
    HTTPResponse out = new HTTPResponse(response.statusCode());
    for (Map.Entry<String, List<String>> h : response.headers().map().entrySet()) {
      if (!h.getKey().startsWith(":")) {
        out.setHeader(h.getKey(), h.getValue().toArray(String[]::new));
      }
    }
    try {
      String type = response.headers().firstValue("content-type").orElse(null);
      if (type != null) {
        out.setContentType(type);
      }
    } catch (ParseException e) {
      return null;
    }
    out.setBody(new String(response.body(), StandardCharsets.UTF_8));
    return out;
  }
}
