package io.ketch.api.gateway;

import com.google.protobuf.Message;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.ketch.api.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** Turns the one answer of a unary call into a JSON response, or its status into an error. */
final class UnaryRelay extends ClientCall.Listener<Message> {
  final CompletableFuture<HttpResponse> response = new CompletableFuture<>();
  private Message answer;

  @Override
  public void onMessage(Message message) {
    answer = message;
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (status.isOk() && answer != null) {
      response.complete(HttpResponse.json(200, JsonBodies.print(answer)));
    } else if (status.isOk()) {
      response.complete(
          JsonBodies.error(Status.INTERNAL.withDescription("the call ended without an answer")));
    } else {
      response.complete(JsonBodies.error(status));
    }
  }
}
