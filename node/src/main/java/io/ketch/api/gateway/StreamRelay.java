package io.ketch.api.gateway;

import com.google.protobuf.Message;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.ketch.api.http.HttpResponse;
import io.ketch.api.http.ResponseSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Relays a streaming call's answers as newline-delimited {@code {"result":...}} chunks, as
 * grpc-gateway does. The HTTP head waits for the first answer: a call that fails before it gets the
 * plain error response with its own status (so does etcd, whose gateway writes nothing until then).
 * One answer is requested at a time, and the next only once the connection can take more, so a slow
 * HTTP reader holds the call back (the watch then keeps its events in its bounded stream) instead
 * of growing a buffer here.
 */
final class StreamRelay extends ClientCall.Listener<Message> {
  final CompletableFuture<HttpResponse> response = new CompletableFuture<>();
  private final ClientCall<Message, Message> call;
  // Chunks that came before the head was sent; all of them are written under this lock, in order.
  private final List<byte[]> early = new ArrayList<>();
  private ResponseSink sink;
  private boolean ended;

  StreamRelay(ClientCall<Message, Message> call) {
    this.call = call;
  }

  @Override
  public void onMessage(Message message) {
    byte[] chunk = JsonBodies.streamResult(message);
    ResponseSink out;
    synchronized (this) {
      out = sink;
      if (out == null) {
        early.add(chunk);
        response.complete(HttpResponse.streaming(200, HttpResponse.APPLICATION_JSON, this::attach));
        return; // the next answer is asked for once the head is out
      }
      out.write(chunk);
    }
    requestNext(out);
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    if (!response.isDone()) {
      response.complete(status.isOk() ? HttpResponse.json(200, "") : JsonBodies.error(status));
      return;
    }
    synchronized (this) {
      ended = true;
      if (!status.isOk()) {
        early.add(JsonBodies.streamError(status));
      }
      if (sink != null) {
        flush();
      }
    }
  }

  private void attach(ResponseSink out) {
    synchronized (this) {
      sink = out;
      flush();
      if (ended) {
        return;
      }
    }
    out.onClose(() -> call.cancel("the HTTP client went away", null));
    requestNext(out);
  }

  private void flush() {
    early.forEach(sink::write);
    early.clear();
    if (ended) {
      sink.close();
    }
  }

  private void requestNext(ResponseSink out) {
    if (out.isWritable()) {
      call.request(1);
    } else {
      out.onWritable(() -> call.request(1));
    }
  }
}
