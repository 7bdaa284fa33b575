package io.portico.ai;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Azure OpenAI: OpenAI's format under {@code /openai/deployments/<deployment>/...?api-version=},
 * the key in the {@code api-key} header. A target's model names its deployment through the
 * provider's {@code deployments} map, or is the deployment's name itself.
 */
final class AzureOpenAiAdapter extends OpenAiAdapter {

  private static final AsciiString API_KEY = AsciiString.cached("api-key");

  private final String basePath;
  private final String apiVersion;
  private final Map<String, String> deployments;

  AzureOpenAiAdapter(String basePath, String apiVersion, Map<String, String> deployments) {
    super(basePath);
    this.basePath = basePath;
    this.apiVersion = apiVersion;
    this.deployments = deployments;
  }

  @Override
  String path(String model, String operation) {
    String deployment = deployments.getOrDefault(model, model);
    return basePath
        + "/openai/deployments/"
        + URLEncoder.encode(deployment, StandardCharsets.UTF_8)
        + "/"
        + operation
        + "?api-version="
        + URLEncoder.encode(apiVersion, StandardCharsets.UTF_8);
  }

  @Override
  public void authorize(HttpHeaders headers, @Nullable String key) {
    if (key != null) {
      headers.set(API_KEY, key);
    }
  }
}
