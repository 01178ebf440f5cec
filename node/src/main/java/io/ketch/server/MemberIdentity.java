package io.ketch.server;

import io.ketch.pb.etcdserver.MemberListResponse;
import io.ketch.raft.pb.ConfState;
import io.ketch.server.config.EndpointUrl;
import io.ketch.server.config.ServerConfig;
import io.ketch.server.pb.ClusterState;
import io.ketch.server.pb.MemberRecord;
import io.ketch.server.pb.StateSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  private static final String IDENTITY_FILE = "identity";

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
                  // Client URLs are published by each member once it runs (etcd's publish).
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

  /**
   * The member a new one is in an existing cluster, found by its peer URLs among the members a peer
   * listed (after MemberAdd), with the cluster id the peer's header carries.
   */
  static MemberIdentity joining(ServerConfig config, MemberListResponse members) {
    List<String> mine = peerUrls(config.initialAdvertisePeerUrls());
    List<MemberRecord> records =
        members.getMembersList().stream()
            .map(
                m ->
                    MemberRecord.newBuilder()
                        .setId(m.getID())
                        .setName(m.getName())
                        .addAllPeerUrls(m.getPeerURLsList().stream().sorted().toList())
                        .addAllClientUrls(m.getClientURLsList())
                        .setIsLearner(m.getIsLearner())
                        .build())
            .toList();
    long self =
        records.stream()
            .filter(m -> m.getPeerUrlsList().equals(mine))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no member of the existing cluster has the peer URLs "
                            + mine
                            + " (add it with member add first)"))
            .getId();
    return new MemberIdentity(self, members.getHeader().getClusterId(), records);
  }

  /** A member joining starts from nothing but the membership; the leader sends it the rest. */
  StateSnapshot joiningState() {
    return StateSnapshot.newBuilder()
        .setFormatVersion(MemberState.SNAPSHOT_FORMAT)
        .setCluster(ClusterState.newBuilder().setClusterId(clusterId).addAllMembers(initialMembers))
        .build();
  }

  /**
   * Records who this member is in its data dir (etcd keeps it in the WAL's metadata), so a restart
   * rejoins as itself whatever the bootstrap flags say.
   */
  void save(Path dataDir) throws IOException {
    Path file = dataDir.resolve("member").resolve(IDENTITY_FILE);
    Files.createDirectories(file.getParent());
    Path temp = file.resolveSibling(IDENTITY_FILE + ".tmp");
    Files.writeString(
        temp,
        "member " + Long.toHexString(memberId) + "\ncluster " + Long.toHexString(clusterId) + "\n");
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The identity {@link #save} recorded, if any (data dirs of a single member may have none). */
  static Optional<MemberIdentity> load(Path dataDir, List<MemberRecord> members)
      throws IOException {
    Path file = dataDir.resolve("member").resolve(IDENTITY_FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Map<String, Long> ids = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      String[] words = line.trim().split(" ");
      if (words.length == 2) {
        ids.put(words[0], Long.parseUnsignedLong(words[1], 16));
      }
    }
    if (!ids.containsKey("member") || !ids.containsKey("cluster")) {
      throw new IOException("unreadable " + file);
    }
    return Optional.of(new MemberIdentity(ids.get("member"), ids.get("cluster"), members));
  }

  static List<String> peerUrls(List<EndpointUrl> urls) {
    return urls.stream().map(EndpointUrl::toString).sorted().toList();
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
