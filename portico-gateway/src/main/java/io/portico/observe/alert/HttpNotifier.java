package io.portico.observe.alert;

import io.portico.config.AlertsConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * A notifier that POSTs a JSON body with the JDK HTTP client: connection and request bounded by the
 * notifier's {@code timeout}; 2xx delivered; 408, 429, 5xx, timeouts and connection failures worth
 * a retry; any other status fails the notification.
 */
abstract class HttpNotifier implements Notifier {

  private final AlertsConfig.Notifier config;
  private final URI url;
  private final HttpClient client;

  /** {@code config} is a webhook or Slack notifier, which the parser gives a URL. */
  HttpNotifier(AlertsConfig.Notifier config) {
    this.config = config;
    this.url = Objects.requireNonNull(config.url(), "the URL of an HTTP notifier");
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(config.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** The request body for {@code n}, sent at {@code epochSecond}. */
  abstract String body(Notification n, long epochSecond);

  /** Headers beyond the configured ones, for {@code body} sent at {@code epochSecond}. */
  Map<String, String> headers(String body, long epochSecond) {
    return Map.of();
  }

  @Override
  public void send(Notification n) throws Failed, InterruptedException {
    long now = java.time.Instant.now().getEpochSecond();
    String body = body(n, now);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(url)
            .timeout(config.timeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "portico-alerts")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    config.headers().forEach(request::setHeader);
    headers(body, now).forEach(request::setHeader);
    HttpResponse<Void> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      throw new Failed(url.getHost() + ": " + e, true);
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return;
    }
    throw new Failed(
        url.getHost() + " answered " + status, status == 408 || status == 429 || status >= 500);
  }
}
