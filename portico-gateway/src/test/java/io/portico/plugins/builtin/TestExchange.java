package io.portico.plugins.builtin;

import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.NetUtil;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Reply;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Exchange} in memory over Netty's {@link DefaultHttpRequest} and {@link
 * DefaultHttpResponse}, for plugin tests. Set up with the fluent methods, then {@link #respond} to
 * enter the response phase as the gateway would.
 */
public final class TestExchange implements Exchange {

  private final HttpRequest request;
  private final QueryStringDecoder uri;
  private final Map<String, String> pathParameters = new LinkedHashMap<>();
  private final Map<ExchangeKey<?>, Object> state = new HashMap<>();
  private String requestId = "req-7f3a";
  private String forwardPath;
  private InetSocketAddress clientAddress = address("192.0.2.10");
  private InetSocketAddress peerAddress = address("192.0.2.10");
  private String routeName = "users";
  private String serviceName = "users-api";
  private HttpResponse response;
  private EmbeddedChannel channel;

  private TestExchange(HttpMethod method, String uri) {
    this.request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    this.uri = new QueryStringDecoder(uri);
    this.forwardPath = uri;
  }

  public static TestExchange get(String uri) {
    return new TestExchange(HttpMethod.GET, uri);
  }

  public static TestExchange of(HttpMethod method, String uri) {
    return new TestExchange(method, uri);
  }

  public static InetSocketAddress address(String ip) {
    return new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(ip), 50123);
  }

  public TestExchange header(CharSequence name, Object value) {
    request.headers().add(name, value);
    return this;
  }

  public TestExchange client(String ip) {
    return client(address(ip));
  }

  public TestExchange client(InetSocketAddress address) {
    this.clientAddress = address;
    return this;
  }

  public TestExchange requestId(String id) {
    this.requestId = id;
    return this;
  }

  public TestExchange route(String route, String service) {
    this.routeName = route;
    this.serviceName = service;
    return this;
  }

  public TestExchange pathParameter(String name, String value) {
    pathParameters.put(name, value);
    return this;
  }

  /** Enters the response phase with an upstream response of {@code status}. */
  public TestExchange respond(HttpResponseStatus status) {
    this.response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    return this;
  }

  /** Enters the response phase with a plugin's local reply, as the gateway renders it. */
  public TestExchange respond(Reply reply) {
    respond(reply.status());
    response.headers().set(reply.headers());
    return this;
  }

  public HttpHeaders responseHeaders() {
    return response.headers();
  }

  @Override
  public String requestId() {
    return requestId;
  }

  @Override
  public HttpRequest request() {
    return request;
  }

  @Override
  public String path() {
    return uri.path();
  }

  @Override
  public String forwardPath() {
    return forwardPath;
  }

  @Override
  public void forwardPath(String pathAndQuery) {
    this.forwardPath = pathAndQuery;
  }

  @Override
  public Map<String, List<String>> queryParameters() {
    return uri.parameters();
  }

  @Override
  public Map<String, String> pathParameters() {
    return pathParameters;
  }

  @Override
  public HttpResponse response() {
    return response;
  }

  @Override
  public InetSocketAddress clientAddress() {
    return clientAddress;
  }

  @Override
  public InetSocketAddress peerAddress() {
    return peerAddress;
  }

  @Override
  public boolean secure() {
    return false;
  }

  @Override
  public String routeName() {
    return routeName;
  }

  @Override
  public String serviceName() {
    return serviceName;
  }

  @Override
  public EventLoop eventLoop() {
    if (channel == null) {
      channel = new EmbeddedChannel();
    }
    return channel.eventLoop();
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T get(ExchangeKey<T> key) {
    return (T) state.get(key);
  }

  @Override
  public <T> void set(ExchangeKey<T> key, T value) {
    state.put(key, value);
  }

  @Override
  public int status() {
    return response == null ? 0 : response.status().code();
  }

  @Override
  public String failureCode() {
    return null;
  }

  @Override
  public long elapsedNanos() {
    return 0;
  }
}
