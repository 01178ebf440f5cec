package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.ketch.operator.model.DisruptionBudgetSpec;
import io.ketch.operator.model.EtcdCluster;
import java.util.Optional;

public final class MemberDisruptionBudget {
  private MemberDisruptionBudget() {}

  /**
   * Empty when the spec disables it. By default minAvailable is the quorum: a drain never takes a
   * majority.
   */
  public static Optional<PodDisruptionBudget> of(EtcdCluster cluster) {
    DisruptionBudgetSpec spec = cluster.getSpec().getPodDisruptionBudget();
    if (spec != null && Boolean.FALSE.equals(spec.getEnabled())) {
      return Optional.empty();
    }
    int replicas = cluster.getSpec().getReplicas();
    int minAvailable =
        spec != null && spec.getMinAvailable() != null ? spec.getMinAvailable() : quorum(replicas);
    MemberTopology topology = MemberTopology.of(cluster);
    return Optional.of(
        new PodDisruptionBudgetBuilder()
            .withMetadata(Owned.metadata(cluster, topology.disruptionBudget(), "member"))
            .withNewSpec()
            .withMinAvailable(new IntOrString(minAvailable))
            .withNewSelector()
            .withMatchLabels(Labels.selector(topology.cluster()))
            .endSelector()
            .endSpec()
            .build());
  }

  public static int quorum(int voters) {
    return voters / 2 + 1;
  }
}
