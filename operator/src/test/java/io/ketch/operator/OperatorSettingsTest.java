package io.ketch.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {
  @Test
  void defaultsWatchEverythingWithKetchsNodeImageAndALease() {
    OperatorSettings settings = OperatorSettings.fromEnvironment(Map.of());
    assertThat(settings.watchedNamespaces()).isEmpty();
    assertThat(settings.memberImage().repository()).isEqualTo("ketch/ketch-node");
    assertThat(settings.memberImage().command()).isEmpty();
    assertThat(settings.httpPort()).isEqualTo(8080);
    assertThat(settings.leaderElection()).isTrue();
    assertThat(settings.memberTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void environmentAsTheChartSetsIt() {
    OperatorSettings settings =
        OperatorSettings.fromEnvironment(
            Map.of(
                "KETCH_WATCH_NAMESPACES", "team-a, team-b,",
                "KETCH_MEMBER_IMAGE_REPOSITORY", "gcr.io/etcd-development/etcd",
                "KETCH_MEMBER_DEFAULT_VERSION", "v3.5.17",
                "KETCH_MEMBER_COMMAND", "etcd",
                "KETCH_HTTP_PORT", "9090",
                "KETCH_LEADER_ELECTION", "false",
                "KETCH_OPERATOR_NAMESPACE", "ketch-system",
                "KETCH_MEMBER_TIMEOUT_SECONDS", "2"));
    assertThat(settings.watchedNamespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(settings.memberImage().defaultVersion()).isEqualTo("v3.5.17");
    assertThat(settings.memberImage().command()).isEqualTo(List.of("etcd"));
    assertThat(settings.httpPort()).isEqualTo(9090);
    assertThat(settings.leaderElection()).isFalse();
    assertThat(settings.operatorNamespace()).isEqualTo("ketch-system");
    assertThat(settings.memberTimeout()).isEqualTo(Duration.ofSeconds(2));
  }
}
