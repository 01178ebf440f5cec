package io.ketch.server;

import io.ketch.raft.pb.ConfState;
import io.ketch.server.config.EndpointUrl;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.MemberRecord;
import io.ketch.server.pb.StateSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/**
 * Who this member is and which cluster it bootstraps, derived as etcd derives them
 * (server/etcdserver/api/ membership/member.go, cluster.go): a member id is the first 8 bytes of
 * SHA-1 over its sorted peer URLs and the cluster token; the cluster id the first 8 bytes of SHA-1
 * over the sorted member ids. Members started with the same --initial-cluster and token therefore
 * agree on every id without talking.
 */
record MemberIdentity(long memberId, long clusterId, List<MemberRecord> initialMembers) {
  /** The bootstrap snapshot's index and term: the log of a new cluster starts after it. */
  static final long BOOTSTRAP_INDEX = 1;

  static MemberIdentity of(ServerConfig config) {
    Map<String, List<EndpointUrl>> cluster = config.initialCluster();
    if (!cluster.containsKey(config.name())) {
      throw new IllegalArgumentException(
          "couldn't find local name \""
              + config.name()
              + "\" in the initial cluster configuration");
    }
    List<MemberRecord> members =
        cluster.entrySet().stream()
            .map(
                e -> {
                  List<String> peers =
                      e.getValue().stream().map(EndpointUrl::toString).sorted().toList();
                  MemberRecord.Builder m =
                      MemberRecord.newBuilder()
                          .setId(memberId(peers, config.initialClusterToken()))
                          .setName(e.getKey())
                          .addAllPeerUrls(peers);
                  if (e.getKey().equals(config.name())) {
                    config.advertiseClientUrls().forEach(u -> m.addClientUrls(u.toString()));
                  }
                  return m.build();
                })
            .toList();
    long self =
        members.stream()
            .filter(m -> m.getName().equals(config.name()))
            .findFirst()
            .orElseThrow()
            .getId();
    return new MemberIdentity(self, clusterId(members), members);
  }

  static long memberId(List<String> sortedPeerUrls, String token) {
    return first8(sha1((String.join("", sortedPeerUrls) + token).getBytes(StandardCharsets.UTF_8)));
  }

  static long clusterId(List<MemberRecord> members) {
    ByteBuffer ids = ByteBuffer.allocate(Long.BYTES * members.size());
    members.stream().mapToLong(MemberRecord::getId).sorted().forEach(ids::putLong);
    return first8(sha1(ids.array()));
  }

  /** The state a new cluster starts from: its members, nothing else. */
  StateSnapshot bootstrapState(ServerConfig config) {
    return StateSnapshot.newBuilder()
        .setFormatVersion(MemberState.SNAPSHOT_FORMAT)
        .setAppliedIndex(BOOTSTRAP_INDEX)
        .setAppliedTerm(BOOTSTRAP_INDEX)
        .setCluster(ClusterState.newBuilder().setClusterId(clusterId).addAllMembers(initialMembers))
        .build();
  }

  ConfState bootstrapConfState() {
    ConfState.Builder cs = ConfState.newBuilder();
    initialMembers.forEach(m -> cs.addVoters(m.getId()));
    return cs.build();
  }

  private static byte[] sha1(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  private static long first8(byte[] hash) {
    return ByteBuffer.wrap(hash, 0, Long.BYTES).getLong();
  }
}
