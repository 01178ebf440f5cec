package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.ketch.operator.model.EtcdCluster;

/**
 * The two Services of a cluster: the headless one that gives members their DNS names, and the
 * client one.
 */
public final class MemberServices {
  static final String CLIENT_PORT_NAME = "client";
  static final String PEER_PORT_NAME = "peer";

  private MemberServices() {}

  /**
   * Headless, and publishing not-ready addresses: a member must resolve its peers' names before
   * they are ready (a learner catching up, every member at bootstrap), or the cluster could never
   * form.
   */
  public static Service peerService(EtcdCluster cluster) {
    MemberTopology topology = MemberTopology.of(cluster);
    return new ServiceBuilder()
        .withMetadata(Owned.metadata(cluster, topology.peerService(), "peer"))
        .withNewSpec()
        .withClusterIP("None")
        .withPublishNotReadyAddresses(true)
        .withSelector(Labels.selector(topology.cluster()))
        .withPorts(
            port(PEER_PORT_NAME, MemberTopology.PEER_PORT),
            port(CLIENT_PORT_NAME, MemberTopology.CLIENT_PORT))
        .endSpec()
        .build();
  }

  /** What clients use: only ready members answer. */
  public static Service clientService(EtcdCluster cluster) {
    MemberTopology topology = MemberTopology.of(cluster);
    return new ServiceBuilder()
        .withMetadata(Owned.metadata(cluster, topology.clientService(), "client"))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(topology.cluster()))
        .withPorts(port(CLIENT_PORT_NAME, MemberTopology.CLIENT_PORT))
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withTargetPort(new IntOrString(name))
        .withProtocol("TCP")
        .build();
  }
}
