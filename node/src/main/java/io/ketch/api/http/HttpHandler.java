package io.ketch.api.http;

import java.util.concurrent.CompletionStage;

/**
 * Answers one request. Runs on the network thread: it must not block, so work that waits (a
 * linearizable read) completes the stage later, from whatever thread finishes it.
 */
@FunctionalInterface
public interface HttpHandler {
  CompletionStage<HttpResponse> handle(HttpRequest request);
}
