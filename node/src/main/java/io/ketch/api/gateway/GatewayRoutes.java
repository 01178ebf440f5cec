package io.ketch.api.gateway;

import io.grpc.MethodDescriptor;
import io.ketch.pb.election.ElectionGrpc;
import io.ketch.pb.etcdserver.AuthGrpc;
import io.ketch.pb.etcdserver.ClusterGrpc;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.LeaseGrpc;
import io.ketch.pb.etcdserver.MaintenanceGrpc;
import io.ketch.pb.etcdserver.WatchGrpc;
import io.ketch.pb.lock.LockGrpc;
import java.util.List;

/**
 * The gateway's paths, as etcd's .proto http options give them, and the method each one calls.
 * Served under /v3 and under /v3beta, which etcd 3.4 still serves (not /v3alpha, which it dropped).
 * HashKV is 3.5's /maintenance/hashkv: 3.4 put it on /maintenance/hash, where Hash answers.
 */
final class GatewayRoutes {
  static final List<String> PREFIXES = List.of("/v3", "/v3beta");

  /** One path; {@code keepOpen} for a stream whose client side stays open after the body. */
  record Route(String path, MethodDescriptor<?, ?> method, boolean keepOpen) {
    Route(String path, MethodDescriptor<?, ?> method) {
      this(path, method, false);
    }
  }

  static final List<Route> ROUTES =
      List.of(
          new Route("/kv/range", KVGrpc.getRangeMethod()),
          new Route("/kv/put", KVGrpc.getPutMethod()),
          new Route("/kv/deleterange", KVGrpc.getDeleteRangeMethod()),
          new Route("/kv/txn", KVGrpc.getTxnMethod()),
          new Route("/kv/compaction", KVGrpc.getCompactMethod()),
          // etcd's watch server ignores the end of the client's requests: the stream lasts
          // until the HTTP client goes away.
          new Route("/watch", WatchGrpc.getWatchMethod(), true),
          new Route("/lease/grant", LeaseGrpc.getLeaseGrantMethod()),
          new Route("/lease/revoke", LeaseGrpc.getLeaseRevokeMethod()),
          new Route("/kv/lease/revoke", LeaseGrpc.getLeaseRevokeMethod()),
          new Route("/lease/keepalive", LeaseGrpc.getLeaseKeepAliveMethod()),
          new Route("/lease/timetolive", LeaseGrpc.getLeaseTimeToLiveMethod()),
          new Route("/kv/lease/timetolive", LeaseGrpc.getLeaseTimeToLiveMethod()),
          new Route("/lease/leases", LeaseGrpc.getLeaseLeasesMethod()),
          new Route("/kv/lease/leases", LeaseGrpc.getLeaseLeasesMethod()),
          new Route("/cluster/member/add", ClusterGrpc.getMemberAddMethod()),
          new Route("/cluster/member/remove", ClusterGrpc.getMemberRemoveMethod()),
          new Route("/cluster/member/update", ClusterGrpc.getMemberUpdateMethod()),
          new Route("/cluster/member/list", ClusterGrpc.getMemberListMethod()),
          new Route("/cluster/member/promote", ClusterGrpc.getMemberPromoteMethod()),
          new Route("/maintenance/alarm", MaintenanceGrpc.getAlarmMethod()),
          new Route("/maintenance/status", MaintenanceGrpc.getStatusMethod()),
          new Route("/maintenance/defragment", MaintenanceGrpc.getDefragmentMethod()),
          new Route("/maintenance/hash", MaintenanceGrpc.getHashMethod()),
          new Route("/maintenance/hashkv", MaintenanceGrpc.getHashKVMethod()),
          new Route("/maintenance/snapshot", MaintenanceGrpc.getSnapshotMethod()),
          new Route("/maintenance/transfer-leadership", MaintenanceGrpc.getMoveLeaderMethod()),
          new Route("/maintenance/downgrade", MaintenanceGrpc.getDowngradeMethod()),
          new Route("/auth/enable", AuthGrpc.getAuthEnableMethod()),
          new Route("/auth/disable", AuthGrpc.getAuthDisableMethod()),
          new Route("/auth/status", AuthGrpc.getAuthStatusMethod()),
          new Route("/auth/authenticate", AuthGrpc.getAuthenticateMethod()),
          new Route("/auth/user/add", AuthGrpc.getUserAddMethod()),
          new Route("/auth/user/get", AuthGrpc.getUserGetMethod()),
          new Route("/auth/user/list", AuthGrpc.getUserListMethod()),
          new Route("/auth/user/delete", AuthGrpc.getUserDeleteMethod()),
          new Route("/auth/user/changepw", AuthGrpc.getUserChangePasswordMethod()),
          new Route("/auth/user/grant", AuthGrpc.getUserGrantRoleMethod()),
          new Route("/auth/user/revoke", AuthGrpc.getUserRevokeRoleMethod()),
          new Route("/auth/role/add", AuthGrpc.getRoleAddMethod()),
          new Route("/auth/role/get", AuthGrpc.getRoleGetMethod()),
          new Route("/auth/role/list", AuthGrpc.getRoleListMethod()),
          new Route("/auth/role/delete", AuthGrpc.getRoleDeleteMethod()),
          new Route("/auth/role/grant", AuthGrpc.getRoleGrantPermissionMethod()),
          new Route("/auth/role/revoke", AuthGrpc.getRoleRevokePermissionMethod()),
          new Route("/election/campaign", ElectionGrpc.getCampaignMethod()),
          new Route("/election/proclaim", ElectionGrpc.getProclaimMethod()),
          new Route("/election/leader", ElectionGrpc.getLeaderMethod()),
          new Route("/election/observe", ElectionGrpc.getObserveMethod()),
          new Route("/election/resign", ElectionGrpc.getResignMethod()),
          new Route("/lock/lock", LockGrpc.getLockMethod()),
          new Route("/lock/unlock", LockGrpc.getUnlockMethod()));

  private GatewayRoutes() {}
}
