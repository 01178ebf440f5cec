package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.ketch.operator.members.MembersFactory;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterStatus;
import io.ketch.operator.resources.Labels;
import io.ketch.operator.resources.MemberImage;
import io.ketch.operator.resources.PodAdditions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The java-operator-sdk side of an EtcdCluster: events from the cluster's StatefulSet and pods
 * start a reconcile, the chain in {@link ClusterReconcile} runs, and its status is patched. A
 * failed round (an API or membership call that threw) is retried with the SDK's back-off; its error
 * is put in the Degraded condition.
 */
@ControllerConfiguration(
    name = "etcdcluster",
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 30, timeUnit = TimeUnit.SECONDS))
public class EtcdClusterReconciler implements Reconciler<EtcdCluster> {
  private final ClusterReconcile rounds;
  private final Clock clock;

  public EtcdClusterReconciler(
      KubernetesClient client,
      MembersFactory members,
      MemberImage image,
      Function<EtcdCluster, PodAdditions> additions,
      Clock clock) {
    this.rounds =
        new ClusterReconcile(
            new KubeObjects(client), members, new ClusterEvents(client), image, additions, clock);
    this.clock = clock;
  }

  @Override
  public UpdateControl<EtcdCluster> reconcile(EtcdCluster cluster, Context<EtcdCluster> context) {
    Outcome outcome = rounds.reconcile(cluster);
    writeStatus(cluster, context, outcome.status());
    return UpdateControl.<EtcdCluster>noUpdate().rescheduleAfter(outcome.requeueAfter());
  }

  @Override
  public ErrorStatusUpdateControl<EtcdCluster> updateErrorStatus(
      EtcdCluster cluster, Context<EtcdCluster> context, Exception e) {
    EtcdClusterStatus status =
        cluster.getStatus() == null ? new EtcdClusterStatus() : cluster.getStatus();
    long generation =
        cluster.getMetadata().getGeneration() == null ? 0 : cluster.getMetadata().getGeneration();
    status.setConditions(
        Conditions.with(
            status.getConditions(),
            Conditions.DEGRADED,
            true,
            "ReconcileError",
            String.valueOf(e.getMessage()),
            generation,
            clock.instant()));
    writeStatus(cluster, context, status);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /**
   * Replaces the whole status (a PUT of the status subresource, retried on a conflict against the
   * newest version) and caches the result, so the next round starts from it. The SDK's own patch
   * without server-side apply is a JSON Patch computed against the informer's copy: one round
   * behind (a pod event can start the next round before the watch delivers the last status), its
   * array indexes land on the wrong members or fail.
   */
  private static void writeStatus(
      EtcdCluster cluster, Context<EtcdCluster> context, EtcdClusterStatus status) {
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        cluster,
        context,
        fresh -> {
          fresh.setStatus(status);
          return fresh;
        });
  }

  @Override
  public List<EventSource<?, EtcdCluster>> prepareEventSources(
      EventSourceContext<EtcdCluster> context) {
    var statefulSets =
        InformerEventSourceConfiguration.from(StatefulSet.class, EtcdCluster.class)
            .withName("statefulsets")
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .build();
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, EtcdCluster.class)
            .withName("pods")
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.OPERATOR)
            .withSecondaryToPrimaryMapper(
                Mappers.fromLabel(Labels.INSTANCE, null, EtcdCluster.class))
            .build();
    return List.of(
        new InformerEventSource<>(statefulSets, context), new InformerEventSource<>(pods, context));
  }
}
