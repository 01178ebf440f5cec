package io.ketch.api;

import com.google.protobuf.ByteString;
import io.ketch.api.http.HealthSource;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.server.EtcdServer;
import io.ketch.server.Versions;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The health endpoints' questions, answered by the member (etcd's checks read one key, keys only).
 */
final class MemberHealth implements HealthSource {
  private static final ByteString HEALTH_KEY = ByteString.copyFromUtf8("health");

  private final EtcdServer server;

  MemberHealth(EtcdServer server) {
    this.server = server;
  }

  @Override
  public boolean hasLeader() {
    return server.hasLeader();
  }

  @Override
  public List<String> activeAlarms() {
    return server.activeAlarms().stream().map(Enum::name).toList();
  }

  @Override
  public CompletionStage<Void> linearizableRead() {
    return read(false);
  }

  @Override
  public CompletionStage<Void> serializableRead() {
    return read(true);
  }

  private CompletionStage<Void> read(boolean serializable) {
    return server
        .range(
            RangeRequest.newBuilder()
                .setKey(HEALTH_KEY)
                .setKeysOnly(true)
                .setSerializable(serializable)
                .build())
        .thenAccept(r -> {});
  }

  @Override
  public boolean isLearner() {
    return server.status().getIsLearner();
  }

  @Override
  public String clusterVersion() {
    return Versions.CLUSTER;
  }
}
