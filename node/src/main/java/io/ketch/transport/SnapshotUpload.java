package io.ketch.transport;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.ketch.raft.pb.Message;
import io.ketch.transport.pb.SnapshotChunk;
import io.ketch.transport.pb.SnapshotReceived;

/**
 * Sends one MSG_SNAP on its own stream (etcd's snapshotSender), in pieces of {@link #CHUNK_BYTES},
 * only as fast as the peer takes them (isReady), so a large snapshot never waits in memory twice
 * and never holds up the message stream. The outcome goes to {@link Outcome}.
 */
final class SnapshotUpload implements ClientResponseObserver<SnapshotChunk, SnapshotReceived> {
  static final int CHUNK_BYTES = 1 << 20;

  interface Outcome {
    void done(boolean failed, Throwable cause);
  }

  private final Message message;
  private final ByteString data;
  private final Outcome outcome;
  private ClientCallStreamObserver<SnapshotChunk> out;
  private int offset;
  private boolean headerSent;
  private boolean finished;

  SnapshotUpload(Message message, Outcome outcome) {
    this.data = message.getSnapshot().getData();
    this.message =
        message.toBuilder().setSnapshot(message.getSnapshot().toBuilder().clearData()).build();
    this.outcome = outcome;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<SnapshotChunk> requestStream) {
    out = requestStream;
    out.setOnReadyHandler(this::sendWhileReady);
  }

  private synchronized void sendWhileReady() {
    while (!finished && out.isReady()) {
      SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder();
      if (!headerSent) {
        chunk.setMessage(message);
        headerSent = true;
      }
      int end = Math.min(data.size(), offset + CHUNK_BYTES);
      chunk.setData(data.substring(offset, end));
      offset = end;
      out.onNext(chunk.build());
      if (offset == data.size()) {
        finished = true;
        out.onCompleted();
      }
    }
  }

  @Override
  public void onNext(SnapshotReceived value) {}

  @Override
  public void onError(Throwable t) {
    outcome.done(true, t);
  }

  @Override
  public void onCompleted() {
    outcome.done(false, null);
  }
}
