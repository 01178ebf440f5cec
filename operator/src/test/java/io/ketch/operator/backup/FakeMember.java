package io.ketch.operator.backup;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.SnapshotResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A member that answers only Maintenance.Snapshot, framed as etcd frames it: 32 KiB pieces with the
 * bytes still to come, the last 32 bytes of the file being the SHA-256 trailer.
 */
final class FakeMember implements AutoCloseable {
  static final long REVISION = 42;

  private final Server server;
  volatile byte[] snapshot;

  FakeMember(byte[] snapshot) throws IOException {
    this.snapshot = snapshot;
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new MaintenanceGrpc.MaintenanceImplBase() {
                  @Override
                  public void snapshot(
                      SnapshotRequest request, StreamObserver<SnapshotResponse> responses) {
                    byte[] file = FakeMember.this.snapshot;
                    for (int offset = 0; offset < file.length; offset += 32 * 1024) {
                      int n = Math.min(32 * 1024, file.length - offset);
                      responses.onNext(
                          SnapshotResponse.newBuilder()
                              .setHeader(ResponseHeader.newBuilder().setRevision(REVISION))
                              .setRemainingBytes(file.length - offset - n)
                              .setBlob(ByteString.copyFrom(file, offset, n))
                              .build());
                    }
                    responses.onCompleted();
                  }
                })
            .build()
            .start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
