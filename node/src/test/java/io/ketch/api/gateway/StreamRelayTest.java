package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.ketch.api.http.HttpResponse;
import io.ketch.api.http.ResponseSink;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The relay's ordering, back-pressure and endings, driven by hand through fakes. */
class StreamRelayTest {
  private final RecordingCall call = new RecordingCall();
  private final StreamRelay relay = new StreamRelay(call);
  private final FakeSink sink = new FakeSink();

  private static LeaseKeepAliveResponse answer(long id) {
    return LeaseKeepAliveResponse.newBuilder().setID(id).build();
  }

  private void attachSink() {
    var streaming = (HttpResponse.Streaming) relay.response.getNow(null);
    streaming.producer().accept(sink);
  }

  @Test
  void theHeadWaitsForTheFirstAnswerWhichIsWrittenFirst() {
    assertThat(relay.response).isNotDone();

    relay.onMessage(answer(1));
    assertThat(call.requested).isZero(); // nothing more until the head is out
    attachSink();
    relay.onMessage(answer(2));

    assertThat(relay.response.getNow(null).status()).isEqualTo(200);
    assertThat(sink.chunks)
        .containsExactly("{\"result\":{\"ID\":\"1\"}}\n", "{\"result\":{\"ID\":\"2\"}}\n");
    assertThat(call.requested).isEqualTo(2);
  }

  @Test
  void aSlowReaderHoldsTheCallBackUntilItCanTakeMore() {
    relay.onMessage(answer(1));
    sink.writable = false;
    attachSink();
    assertThat(call.requested).isZero();

    sink.writable = true;
    sink.becameWritable();

    assertThat(call.requested).isEqualTo(1);
  }

  @Test
  void aFailureBeforeTheFirstAnswerIsAPlainErrorResponse() {
    relay.onClose(Status.UNAVAILABLE.withDescription("etcdserver: no leader"), new Metadata());

    var response = (HttpResponse.Full) relay.response.getNow(null);
    assertThat(response.status()).isEqualTo(503);
    assertThat(new String(response.body(), UTF_8)).contains("\"code\":14");
  }

  @Test
  void aFailureAfterwardsIsALastErrorChunkEvenBeforeTheHeadIsOut() {
    relay.onMessage(answer(1));
    relay.onClose(Status.NOT_FOUND.withDescription("gone"), new Metadata());
    attachSink();

    assertThat(sink.chunks)
        .containsExactly(
            "{\"result\":{\"ID\":\"1\"}}\n",
            "{\"error\":{\"grpc_code\":5,\"http_code\":404,\"message\":\"gone\",\"http_status\":\"Not Found\"}}\n");
    assertThat(sink.open).isFalse();
  }

  @Test
  void theClientGoingAwayCancelsTheCall() {
    relay.onMessage(answer(1));
    attachSink();

    sink.close();

    assertThat(call.cancelled).isTrue();
  }

  private static final class RecordingCall extends ClientCall<Message, Message> {
    int requested;
    boolean cancelled;

    @Override
    public void start(Listener<Message> listener, Metadata headers) {}

    @Override
    public void request(int n) {
      requested += n;
    }

    @Override
    public void cancel(String message, Throwable cause) {
      cancelled = true;
    }

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(Message message) {}
  }

  private static final class FakeSink implements ResponseSink {
    final List<String> chunks = new ArrayList<>();
    final List<Runnable> onWritable = new ArrayList<>();
    final List<Runnable> onClose = new ArrayList<>();
    boolean writable = true;
    boolean open = true;

    @Override
    public void write(byte[] chunk) {
      chunks.add(new String(chunk, UTF_8));
    }

    @Override
    public void close() {
      open = false;
      onClose.forEach(Runnable::run);
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public boolean isWritable() {
      return writable;
    }

    @Override
    public void onWritable(Runnable callback) {
      onWritable.add(callback);
    }

    @Override
    public void onClose(Runnable callback) {
      onClose.add(callback);
    }

    void becameWritable() {
      List<Runnable> callbacks = List.copyOf(onWritable);
      onWritable.clear();
      callbacks.forEach(Runnable::run);
    }
  }
}
