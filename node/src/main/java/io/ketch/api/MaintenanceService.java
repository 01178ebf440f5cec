package io.ketch.api;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.AlarmRequest;
import io.ketch.pb.etcdserver.AlarmResponse;
import io.ketch.pb.etcdserver.DefragmentRequest;
import io.ketch.pb.etcdserver.DefragmentResponse;
import io.ketch.pb.etcdserver.HashKVRequest;
import io.ketch.pb.etcdserver.HashKVResponse;
import io.ketch.pb.etcdserver.HashRequest;
import io.ketch.pb.etcdserver.HashResponse;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.MoveLeaderRequest;
import io.ketch.pb.etcdserver.MoveLeaderResponse;
import io.ketch.pb.etcdserver.SnapshotRequest;
import io.ketch.pb.etcdserver.SnapshotResponse;
import io.ketch.pb.etcdserver.StatusRequest;
import io.ketch.pb.etcdserver.StatusResponse;
import io.ketch.server.EtcdServer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** etcd's Maintenance service. */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {
  /** etcd streams snapshots in 32 KiB pieces. */
  static final int SNAPSHOT_CHUNK = 32 * 1024;

  private final EtcdServer server;

  MaintenanceService(EtcdServer server) {
    this.server = server;
  }

  @Override
  public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> response) {
    Replies.unary(response, () -> server.alarm(request));
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    Replies.now(response, server::status);
  }

  /**
   * The store lives in memory; compaction already frees what it drops, so there is nothing to move.
   */
  @Override
  public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> response) {
    Replies.now(response, DefragmentResponse::getDefaultInstance); // etcd's carries no header
  }

  @Override
  public void hash(HashRequest request, StreamObserver<HashResponse> response) {
    Replies.now(response, server::hash);
  }

  @Override
  public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> response) {
    Replies.now(response, () -> server.hashKv(request.getRevision()));
  }

  @Override
  public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> response) {
    Replies.unary(response, () -> server.moveLeader(request.getTargetID()));
  }

  /**
   * Streams the member's state in 32 KiB pieces, each with the bytes still to come, then a last
   * piece holding the SHA-256 of everything before it (etcd's framing; the payload is Ketch's own
   * snapshot format). Sends only while the client keeps up (isReady), so a slow reader never
   * buffers the whole snapshot here.
   */
  @Override
  public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> responses) {
    ServerCallStreamObserver<SnapshotResponse> out =
        (ServerCallStreamObserver<SnapshotResponse>) responses;
    server
        .snapshotData()
        .whenComplete(
            (data, failure) -> {
              if (failure != null) {
                out.onError(EtcdStatus.of(failure));
              } else {
                out.setOnReadyHandler(new SnapshotSender(out, data, server));
              }
            });
  }

  private static final class SnapshotSender implements Runnable {
    private final ServerCallStreamObserver<SnapshotResponse> out;
    private final ByteString data;
    private final EtcdServer server;
    private final MessageDigest sha256;
    private int offset;
    private boolean done;

    SnapshotSender(
        ServerCallStreamObserver<SnapshotResponse> out, ByteString data, EtcdServer server) {
      this.out = out;
      this.data = data;
      this.server = server;
      try {
        this.sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
      run(); // the stream may be ready already, and then no onReady callback would come
    }

    @Override
    public synchronized void run() {
      while (!done && out.isReady()) {
        if (offset < data.size()) {
          ByteString chunk = data.substring(offset, Math.min(data.size(), offset + SNAPSHOT_CHUNK));
          offset += chunk.size();
          chunk.asReadOnlyByteBufferList().forEach(sha256::update);
          out.onNext(
              SnapshotResponse.newBuilder()
                  .setHeader(server.currentHeader())
                  .setRemainingBytes(data.size() - offset + sha256.getDigestLength())
                  .setBlob(chunk)
                  .build());
        } else {
          out.onNext(
              SnapshotResponse.newBuilder()
                  .setHeader(server.currentHeader())
                  .setBlob(ByteString.copyFrom(sha256.digest()))
                  .build());
          out.onCompleted();
          done = true;
        }
      }
    }
  }
}
