package io.ketch.api.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;

/** What a route answers: a whole body, or a chunked stream written over time. */
public sealed interface HttpResponse {

  /** Go's net/http default for text, which etcd's plain answers carry. */
  String TEXT_PLAIN = "text/plain; charset=utf-8";

  String APPLICATION_JSON = "application/json";

  int status();

  String contentType();

  /** A complete response with extra headers. */
  record Full(int status, String contentType, byte[] body, Map<String, String> headers)
      implements HttpResponse {
    public Full {
      headers = Map.copyOf(headers);
    }
  }

  /**
   * A chunked response (Transfer-Encoding: chunked). Once the head is sent, {@code producer} gets
   * the sink and writes to it, from any thread, until it closes it or the client goes away.
   */
  record Streaming(int status, String contentType, Consumer<ResponseSink> producer)
      implements HttpResponse {}

  static HttpResponse of(int status, String contentType, byte[] body) {
    return new Full(status, contentType, body, Map.of());
  }

  static HttpResponse text(int status, String body) {
    return of(status, TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse json(int status, String body) {
    return of(status, APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse streaming(int status, String contentType, Consumer<ResponseSink> producer) {
    return new Streaming(status, contentType, producer);
  }
}
