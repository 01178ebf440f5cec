package io.ketch.operator.members;

import java.util.List;

/**
 * One entry of the cluster's member list. A member that was added but has never started has an
 * empty name (etcd learns the name from the member itself when it first joins).
 */
public record Member(
    long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {
  public Member {
    name = name == null ? "" : name;
    peerUrls = List.copyOf(peerUrls);
    clientUrls = List.copyOf(clientUrls);
  }

  public boolean started() {
    return !name.isEmpty();
  }

  public String idHex() {
    return Long.toHexString(id);
  }
}
