package io.ketch.api.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Exact-path routes: each path has a handler per HTTP method. An unknown path gets Go's "404 page
 * not found"; a known path with another method gets 405 with an Allow header, as etcd answers.
 */
public final class HttpRoutes {
  private final Map<String, Map<String, HttpHandler>> byPath;

  private HttpRoutes(Map<String, Map<String, HttpHandler>> byPath) {
    this.byPath = byPath;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Routes the request; a handler that throws gives 500. */
  public CompletionStage<HttpResponse> dispatch(HttpRequest request) {
    Map<String, HttpHandler> methods = byPath.get(request.path());
    if (methods == null) {
      return CompletableFuture.completedFuture(HttpResponse.text(404, "404 page not found\n"));
    }
    HttpHandler handler = methods.get(request.method());
    if (handler == null && request.method().equals("HEAD")) {
      handler = methods.get("GET");
    }
    if (handler == null) {
      return CompletableFuture.completedFuture(
          new HttpResponse.Full(
              405,
              HttpResponse.TEXT_PLAIN,
              "Method Not Allowed\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
              Map.of("Allow", String.join(", ", methods.keySet()))));
    }
    try {
      return handler.handle(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  public static final class Builder {
    private final Map<String, Map<String, HttpHandler>> byPath = new LinkedHashMap<>();

    private Builder() {}

    public Builder route(String method, String path, HttpHandler handler) {
      HttpHandler previous =
          byPath.computeIfAbsent(path, p -> new LinkedHashMap<>()).putIfAbsent(method, handler);
      if (previous != null) {
        throw new IllegalArgumentException(method + " " + path + " is routed twice");
      }
      return this;
    }

    public Builder get(String path, HttpHandler handler) {
      return route("GET", path, handler);
    }

    public Builder post(String path, HttpHandler handler) {
      return route("POST", path, handler);
    }

    public HttpRoutes build() {
      Map<String, Map<String, HttpHandler>> copy = new LinkedHashMap<>();
      byPath.forEach((path, methods) -> copy.put(path, Map.copyOf(methods)));
      return new HttpRoutes(Map.copyOf(copy));
    }
  }
}
