package io.ketch.operator.members;

import java.util.List;
import java.util.Optional;

/** The member list and the id of the cluster that answered it. */
public record MemberList(long clusterId, List<Member> members) {
  public MemberList {
    members = List.copyOf(members);
  }

  public Optional<Member> byId(long id) {
    return members.stream().filter(m -> m.id() == id).findFirst();
  }

  public Optional<Member> byPeerUrl(String peerUrl) {
    return members.stream().filter(m -> m.peerUrls().contains(peerUrl)).findFirst();
  }

  public long voters() {
    return members.stream().filter(m -> !m.learner()).count();
  }
}
