package io.ketch.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.ketch.operator.backup.BackupScheduler;
import io.ketch.operator.backup.BackupSettings;
import io.ketch.operator.backup.EtcdBackupReconciler;
import io.ketch.operator.backup.RestoreStep;
import io.ketch.operator.members.MembersFactory;
import io.ketch.operator.reconcile.EtcdClusterReconciler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * The operator assembled: java-operator-sdk with the reconcilers registered, metrics into a
 * Micrometer registry, and leader election on a Lease when enabled. Status and finalizer patches do
 * not use server-side apply: the reconcilers write whole, freshly computed statuses, and a JSON
 * patch behaves the same on every API server (fabric8's mock server in the tests accepts no other).
 */
public final class KetchOperator implements AutoCloseable {
  private final Operator operator;

  public KetchOperator(
      KubernetesClient client,
      MembersFactory members,
      OperatorSettings settings,
      MeterRegistry registry) {
    this.operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withSSABasedCreateUpdateMatchForDependentResources(false)
                  .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                  .withCloseClientOnStop(false);
              if (settings.leaderElection()) {
                overrider.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        OperatorSettings.LEASE_NAME, settings.operatorNamespace()));
              }
            });
    BackupSettings backups = BackupSettings.fromEnvironment(System.getenv());
    Clock clock = Clock.systemUTC();
    operator.register(
        new EtcdClusterReconciler(
            client,
            members,
            settings.memberImage(),
            new RestoreStep(backups, settings.memberImage()),
            clock),
        config -> watch(config, settings));
    operator.register(
        new EtcdBackupReconciler(client, backups, UnaryOperator.identity(), clock),
        config -> watch(config, settings));
    operator.register(new BackupScheduler(client, clock), config -> watch(config, settings));
  }

  private static void watch(ControllerConfigurationOverrider<?> config, OperatorSettings settings) {
    if (!settings.watchedNamespaces().isEmpty()) {
      config.settingNamespaces(settings.watchedNamespaces());
    }
  }

  public void start() {
    operator.start();
  }

  /** Started, and every informer is watching. */
  public boolean ready() {
    return operator.getRuntimeInfo().isStarted()
        && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  @Override
  public void close() {
    operator.stop();
  }
}
