package io.ketch.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.server.config.ServerConfigParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemberIdentityTest {

  /** Read off Debian's etcd 3.4.23 started with the same flags (etcdctl member list -w json). */
  @Test
  void idsAreTheOnesEtcdDerivesFromTheSameFlags() throws Exception {
    var config =
        ServerConfigParser.parse(
                List.of(
                    "--name=default",
                    "--initial-advertise-peer-urls=http://127.0.0.1:23801",
                    "--listen-peer-urls=http://127.0.0.1:23801",
                    "--initial-cluster=default=http://127.0.0.1:23801"),
                Map.of())
            .config();

    MemberIdentity identity = MemberIdentity.of(config);

    assertThat(Long.toUnsignedString(identity.memberId())).isEqualTo("13668033151171901709");
    assertThat(Long.toUnsignedString(identity.clusterId())).isEqualTo("15118495548433857066");
  }

  @Test
  void theBootstrapStateNamesEveryInitialMemberAsAVoter() throws Exception {
    var config =
        ServerConfigParser.parse(
                List.of(
                    "--name=a",
                    "--initial-advertise-peer-urls=http://127.0.0.1:1",
                    "--initial-cluster=a=http://127.0.0.1:1,b=http://127.0.0.1:2"),
                Map.of())
            .config();

    MemberIdentity identity = MemberIdentity.of(config);

    assertThat(identity.bootstrapConfState().getVotersList())
        .containsExactlyInAnyOrderElementsOf(
            identity.initialMembers().stream().map(m -> m.getId()).toList());
    assertThat(identity.bootstrapState(config).getCluster().getClusterId())
        .isEqualTo(identity.clusterId());
  }
}
