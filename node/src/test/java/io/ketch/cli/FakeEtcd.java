package io.ketch.cli;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.ketch.pb.etcdserver.AlarmRequest;
import io.ketch.pb.etcdserver.AlarmResponse;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.CompactionRequest;
import io.ketch.pb.etcdserver.CompactionResponse;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.LeaseGrantRequest;
import io.ketch.pb.etcdserver.LeaseGrantResponse;
import io.ketch.pb.etcdserver.LeaseGrpc;
import io.ketch.pb.etcdserver.LeaseKeepAliveRequest;
import io.ketch.pb.etcdserver.LeaseKeepAliveResponse;
import io.ketch.pb.etcdserver.LeaseLeasesRequest;
import io.ketch.pb.etcdserver.LeaseLeasesResponse;
import io.ketch.pb.etcdserver.LeaseRevokeRequest;
import io.ketch.pb.etcdserver.LeaseRevokeResponse;
import io.ketch.pb.etcdserver.LeaseStatus;
import io.ketch.pb.etcdserver.LeaseTimeToLiveRequest;
import io.ketch.pb.etcdserver.LeaseTimeToLiveResponse;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.MemberListRequest;
import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.PutResponse;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.etcdserver.ResponseHeader;
import io.ketch.pb.etcdserver.SnapshotRequest;
import io.ketch.pb.etcdserver.SnapshotResponse;
import io.ketch.pb.etcdserver.StatusRequest;
import io.ketch.pb.etcdserver.StatusResponse;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchGrpc;
import io.ketch.pb.etcdserver.WatchRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * An in-process stand-in for an etcd member: it records the requests ketchctl sends and answers
 * with whatever the test put in its fields. Every call runs on the caller's thread
 * (directExecutor).
 */
final class FakeEtcd implements AutoCloseable {
  static final ResponseHeader HEADER =
      ResponseHeader.newBuilder()
          .setClusterId(0xcf2d7c1c2b0a5587L) // above 2^63: printed unsigned
          .setMemberId(0x2e1259d415f2a040L)
          .setRevision(14)
          .setRaftTerm(2)
          .build();

  final String name = "fake-etcd-" + UUID.randomUUID();
  final List<Object> requests = new ArrayList<>();

  RangeResponse rangeResponse = RangeResponse.newBuilder().setHeader(HEADER).build();
  DeleteRangeResponse deleteResponse = DeleteRangeResponse.newBuilder().setHeader(HEADER).build();
  Status failure; // when set, unary KV and lease calls fail with it
  Set<Long> leases = Set.of(0x694d77aa9e38260fL);
  LeaseTimeToLiveResponse timeToLive = LeaseTimeToLiveResponse.getDefaultInstance();
  List<WatchResponse> watchResponses = List.of();
  List<SnapshotResponse> snapshot = List.of();
  MemberListResponse members = MemberListResponse.getDefaultInstance();
  StatusResponse status = StatusResponse.getDefaultInstance();
  AlarmResponse alarms = AlarmResponse.newBuilder().setHeader(HEADER).build();

  private final Server server;

  FakeEtcd() throws IOException {
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new Kv())
            .addService(new Lease())
            .addService(new Watch())
            .addService(new Maintenance())
            .addService(new Cluster())
            .build()
            .start();
  }

  ManagedChannel channel() {
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  <T> T last(Class<T> type) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (type.isInstance(requests.get(i))) {
        return type.cast(requests.get(i));
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " received; got " + requests);
  }

  private <R> boolean failed(StreamObserver<R> observer) {
    if (failure != null) {
      observer.onError(failure.asRuntimeException());
      return true;
    }
    return false;
  }

  private static <R> void reply(StreamObserver<R> observer, R response) {
    observer.onNext(response);
    observer.onCompleted();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private final class Kv extends KVGrpc.KVImplBase {
    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
      requests.add(request);
      if (!failed(observer)) {
        reply(observer, rangeResponse);
      }
    }

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> observer) {
      requests.add(request);
      if (failed(observer)) {
        return;
      }
      PutResponse.Builder response = PutResponse.newBuilder().setHeader(HEADER);
      if (request.getPrevKv()) {
        response
            .getPrevKvBuilder()
            .setKey(request.getKey())
            .setValue(ByteString.copyFromUtf8("old"))
            .setCreateRevision(3)
            .setModRevision(5)
            .setVersion(2);
      }
      reply(observer, response.build());
    }

    @Override
    public void deleteRange(
        DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> observer) {
      requests.add(request);
      if (!failed(observer)) {
        reply(observer, deleteResponse);
      }
    }

    @Override
    public void compact(CompactionRequest request, StreamObserver<CompactionResponse> observer) {
      requests.add(request);
      if (!failed(observer)) {
        reply(observer, CompactionResponse.newBuilder().setHeader(HEADER).build());
      }
    }
  }

  private final class Lease extends LeaseGrpc.LeaseImplBase {
    @Override
    public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> observer) {
      requests.add(request);
      if (!failed(observer)) {
        reply(
            observer,
            LeaseGrantResponse.newBuilder()
                .setHeader(HEADER)
                .setID(0x694d77aa9e38260fL)
                .setTTL(request.getTTL())
                .build());
      }
    }

    @Override
    public void leaseRevoke(
        LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> observer) {
      requests.add(request);
      if (!leases.contains(request.getID())) {
        observer.onError(
            Status.NOT_FOUND
                .withDescription("etcdserver: requested lease not found")
                .asRuntimeException());
        return;
      }
      reply(observer, LeaseRevokeResponse.newBuilder().setHeader(HEADER).build());
    }

    @Override
    public void leaseTimeToLive(
        LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> observer) {
      requests.add(request);
      reply(observer, timeToLive);
    }

    @Override
    public void leaseLeases(
        LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> observer) {
      requests.add(request);
      LeaseLeasesResponse.Builder response = LeaseLeasesResponse.newBuilder().setHeader(HEADER);
      leases.stream()
          .sorted()
          .forEach(id -> response.addLeases(LeaseStatus.newBuilder().setID(id)));
      reply(observer, response.build());
    }

    @Override
    public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(
        StreamObserver<LeaseKeepAliveResponse> observer) {
      return new StreamObserver<>() {
        @Override
        public void onNext(LeaseKeepAliveRequest request) {
          requests.add(request);
          long ttl = leases.contains(request.getID()) ? 60 : 0;
          observer.onNext(
              LeaseKeepAliveResponse.newBuilder()
                  .setHeader(HEADER)
                  .setID(request.getID())
                  .setTTL(ttl)
                  .build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          observer.onCompleted();
        }
      };
    }
  }

  private final class Watch extends WatchGrpc.WatchImplBase {
    @Override
    public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> observer) {
      return new StreamObserver<>() {
        @Override
        public void onNext(WatchRequest request) {
          WatchCreateRequest create = request.getCreateRequest();
          requests.add(create);
          observer.onNext(WatchResponse.newBuilder().setHeader(HEADER).setCreated(true).build());
          watchResponses.forEach(observer::onNext);
          observer.onCompleted();
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }

  private final class Maintenance extends MaintenanceGrpc.MaintenanceImplBase {
    @Override
    public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> observer) {
      snapshot.forEach(observer::onNext);
      observer.onCompleted();
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> observer) {
      reply(observer, status);
    }

    @Override
    public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> observer) {
      requests.add(request);
      reply(observer, alarms);
    }
  }

  private final class Cluster extends ClusterGrpc.ClusterImplBase {
    @Override
    public void memberList(MemberListRequest request, StreamObserver<MemberListResponse> observer) {
      reply(observer, members);
    }
  }
}
