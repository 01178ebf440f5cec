package io.ketch.api;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.server.EtcdServer;
import io.ketch.server.ServerError;
import java.util.Set;

/**
 * A learner answers only what etcd lets it (v3rpc's isRPCSupportedForLearner and its stream
 * interceptor): Status, Snapshot and serializable Range; everything else gets
 * NotSupportedForLearner.
 */
final class LearnerGate implements ServerInterceptor {
  private static final Set<String> ALLOWED =
      Set.of(
          MaintenanceGrpc.getStatusMethod().getFullMethodName(),
          MaintenanceGrpc.getSnapshotMethod().getFullMethodName(),
          "grpc.health.v1.Health/Check",
          "grpc.health.v1.Health/Watch");
  private static final String RANGE = KVGrpc.getRangeMethod().getFullMethodName();

  private final EtcdServer server;

  LearnerGate(EtcdServer server) {
    this.server = server;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!server.isLearner() || ALLOWED.contains(method)) {
      return next.startCall(call, headers);
    }
    if (!method.equals(RANGE)) {
      call.close(EtcdStatus.of(ServerError.NOT_SUPPORTED_FOR_LEARNER), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
        next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (!((RangeRequest) message).getSerializable()) {
          refused = true;
          call.close(EtcdStatus.of(ServerError.NOT_SUPPORTED_FOR_LEARNER), new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }
}
