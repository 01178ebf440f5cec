package io.ketch.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.ketch.operator.KetchOperator;
import io.ketch.operator.OperatorSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The real java-operator-sdk runtime on fabric8's mock API server: informers, reconcile, status
 * patch.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorWiringTest {
  KubernetesClient client;

  @Test
  void anEtcdClusterBecomesAStatefulSetAndItsClusterIdIsLatched() {
    Harness harness = new Harness(client, "wiring");
    OperatorSettings settings =
        new OperatorSettings(Set.of(), Harness.IMAGE, 0, false, null, Duration.ofSeconds(1));
    try (KetchOperator operator =
        new KetchOperator(client, harness.etcd, settings, new SimpleMeterRegistry())) {
      operator.start();
      harness.create(1, spec -> {});
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                harness.statefulSets.sync();
                synchronized (harness.etcd) {
                  harness.etcd.sync(
                      harness.statefulSets.pods(),
                      client
                          .configMaps()
                          .inNamespace(harness.namespace)
                          .withName("main-members")
                          .get(),
                      harness.statefulSets.volumeUids(false));
                }
                var status = harness.cluster().getStatus();
                assertThat(status).isNotNull();
                assertThat(status.getClusterID()).isEqualTo("c1c1");
                assertThat(status.getMembers()).hasSize(1);
              });
      assertThat(harness.statefulSet().getSpec().getReplicas()).isEqualTo(1);
      assertThat(operator.ready()).isTrue();
    }
  }
}
