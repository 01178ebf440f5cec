package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.ketch.operator.model.EtcdCluster;
import java.util.Map;
import java.util.TreeMap;

/**
 * The member configuration the operator decides and the pods read at start, as etcd's
 * ETCD_INITIAL_CLUSTER_STATE and ETCD_INITIAL_CLUSTER. This is how a pod knows whether it
 * bootstraps: the state is "new" only until the cluster id is latched in the EtcdCluster's status
 * (while the StatefulSet has its one seed member), and "existing" for ever after, so no member ever
 * bootstraps a second cluster. A member's flags are read only when its data dir is empty; a member
 * with data ignores them, as etcd does.
 *
 * <p>The map also records which data volume holds each member's data ({@code volume.<member>} =
 * member id and volume uid): a member whose volume is not the one it was bound to has lost its data
 * and is re-added (see the heal step).
 */
public final class MemberConfigMap {
  public static final String STATE_KEY = "initial-cluster-state";
  public static final String INITIAL_CLUSTER_KEY = "initial-cluster";
  public static final String VOLUME_PREFIX = "volume.";
  public static final String STATE_NEW = "new";
  public static final String STATE_EXISTING = "existing";

  private MemberConfigMap() {}

  /**
   * @param initialCluster the members as the cluster knows them, {@code name=peerURL,...}
   * @param volumes member name to "memberIdHex/volumeUid" (an empty uid: not yet bound)
   */
  public static ConfigMap of(
      EtcdCluster cluster, String state, String initialCluster, Map<String, String> volumes) {
    Map<String, String> data = new TreeMap<>();
    data.put(STATE_KEY, state);
    data.put(INITIAL_CLUSTER_KEY, initialCluster);
    volumes.forEach((member, binding) -> data.put(VOLUME_PREFIX + member, binding));
    return new ConfigMapBuilder()
        .withMetadata(Owned.metadata(cluster, MemberTopology.of(cluster).configMap(), "config"))
        .withData(data)
        .build();
  }

  /** The first configuration of a cluster: one seed member that bootstraps alone. */
  public static ConfigMap seed(EtcdCluster cluster) {
    return of(cluster, STATE_NEW, MemberTopology.of(cluster).initialCluster(1), Map.of());
  }
}
