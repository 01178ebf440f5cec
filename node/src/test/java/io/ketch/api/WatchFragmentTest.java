package io.ketch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchGrpc;
import io.ketch.pb.etcdserver.WatchRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd's fragment option, through our own stubs (jetcd cannot ask for it). */
class WatchFragmentTest {

  @Test
  void aCatchUpResponseOverTheLimitComesInFragmentsWhenAskedFor(@TempDir Path dir)
      throws Exception {
    try (RunningMember member = new RunningMember(dir)) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", member.port())
              .usePlaintext()
              .maxInboundMessageSize(64 << 20)
              .build();
      try {
        var kv = KVGrpc.newBlockingStub(channel);
        for (int i = 0; i < 3; i++) {
          kv.put(
              PutRequest.newBuilder()
                  .setKey(ByteString.copyFromUtf8("big" + i))
                  .setValue(ByteString.copyFrom(new byte[1_000_000]))
                  .build());
        }
        List<WatchResponse> responses = new CopyOnWriteArrayList<>();
        StreamObserver<WatchRequest> requests =
            WatchGrpc.newStub(channel)
                .watch(
                    new StreamObserver<>() {
                      @Override
                      public void onNext(WatchResponse r) {
                        responses.add(r);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {}
                    });
        requests.onNext(
            WatchRequest.newBuilder()
                .setCreateRequest(
                    WatchCreateRequest.newBuilder()
                        .setKey(ByteString.copyFromUtf8("big"))
                        .setRangeEnd(ByteString.copyFromUtf8("bih"))
                        .setStartRevision(1)
                        .setFragment(true))
                .build());

        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> responses.stream().mapToInt(WatchResponse::getEventsCount).sum() == 3);
        List<WatchResponse> events =
            responses.stream().filter(r -> r.getEventsCount() > 0).toList();
        assertThat(events).hasSizeGreaterThan(1);
        assertThat(events.subList(0, events.size() - 1)).allMatch(WatchResponse::getFragment);
        assertThat(events.get(events.size() - 1).getFragment()).isFalse();
        requests.onCompleted();
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
