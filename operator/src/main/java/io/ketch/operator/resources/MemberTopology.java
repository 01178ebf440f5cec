package io.ketch.operator.resources;

import io.ketch.operator.model.EtcdCluster;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Names and addresses of a cluster's objects and members. Member {@code i} is pod {@code
 * <cluster>-i} of the StatefulSet {@code <cluster>}; its stable DNS name comes from the headless
 * Service {@code <cluster>}, so a member's peer URL never changes across restarts or rescheduling.
 */
public record MemberTopology(String cluster, String namespace) {
  public static final int CLIENT_PORT = 2379;
  public static final int PEER_PORT = 2380;

  public static MemberTopology of(EtcdCluster cluster) {
    return new MemberTopology(
        cluster.getMetadata().getName(), cluster.getMetadata().getNamespace());
  }

  public String statefulSet() {
    return cluster;
  }

  public String peerService() {
    return cluster;
  }

  public String clientService() {
    return cluster + "-client";
  }

  public String configMap() {
    return cluster + "-members";
  }

  public String disruptionBudget() {
    return cluster;
  }

  public String memberName(int ordinal) {
    return cluster + "-" + ordinal;
  }

  /** The claim the StatefulSet makes for member {@code ordinal} from its volume claim template. */
  public String dataClaim(int ordinal) {
    return MemberStatefulSet.DATA_VOLUME + "-" + memberName(ordinal);
  }

  /**
   * The ordinal of a member or pod name of this cluster, or empty for a name that is not one of
   * ours.
   */
  public OptionalInt ordinalOf(String memberName) {
    String prefix = cluster + "-";
    if (memberName == null || !memberName.startsWith(prefix)) {
      return OptionalInt.empty();
    }
    String digits = memberName.substring(prefix.length());
    if (digits.isEmpty() || digits.length() > 4 || !digits.chars().allMatch(Character::isDigit)) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(digits));
  }

  /** The ordinal whose peer URL this is, or empty when the URL names no member of this cluster. */
  public OptionalInt ordinalOfPeerUrl(String peerUrl) {
    String suffix = "." + peerService() + "." + namespace + ".svc:" + PEER_PORT;
    String prefix = "http://";
    if (peerUrl == null || !peerUrl.startsWith(prefix) || !peerUrl.endsWith(suffix)) {
      return OptionalInt.empty();
    }
    return ordinalOf(peerUrl.substring(prefix.length(), peerUrl.length() - suffix.length()));
  }

  /** The member's host name: {@code <pod>.<headless service>.<namespace>.svc}. */
  public String host(int ordinal) {
    return memberName(ordinal) + "." + peerService() + "." + namespace + ".svc";
  }

  public String peerUrl(int ordinal) {
    return "http://" + host(ordinal) + ":" + PEER_PORT;
  }

  public String clientUrl(int ordinal) {
    return "http://" + host(ordinal) + ":" + CLIENT_PORT;
  }

  /** The client Service's URL, which reaches any ready member. */
  public String serviceUrl() {
    return "http://" + clientService() + "." + namespace + ".svc:" + CLIENT_PORT;
  }

  /** etcd's --initial-cluster value for members {@code 0..count-1}: {@code name=peerURL,...}. */
  public String initialCluster(int count) {
    Map<String, String> members = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      members.put(memberName(i), peerUrl(i));
    }
    return members.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /**
   * --initial-cluster-token: unique per cluster object, so two clusters of the same name never
   * merge.
   */
  public static String token(EtcdCluster cluster) {
    String uid = cluster.getMetadata().getUid();
    return cluster.getMetadata().getName()
        + (uid == null ? "" : "-" + uid.substring(0, Math.min(8, uid.length())));
  }
}
