package io.ketch.api.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP/1.1 request, whole: the body is read before the handler runs (it is bounded by the
 * listener's limit).
 *
 * @param headers header names in lower case; a repeated header keeps its first value
 */
public record HttpRequest(
    String method,
    String path,
    Map<String, List<String>> query,
    Map<String, String> headers,
    byte[] body) {

  public HttpRequest {
    query = Map.copyOf(query);
    headers = Map.copyOf(headers);
  }

  /** The first value of a query parameter. */
  public Optional<String> queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every value of a query parameter, empty ones dropped (etcd's getQuerySet). */
  public List<String> queryParams(String name) {
    return query.getOrDefault(name, List.of()).stream().filter(v -> !v.isEmpty()).toList();
  }

  public boolean hasQueryParam(String name) {
    return query.containsKey(name);
  }
}
