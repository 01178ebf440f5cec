package io.ketch.api.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A member whose state a test sets field by field. */
final class FakeHealthSource implements HealthSource {
  volatile boolean hasLeader = true;
  volatile boolean learner;
  final List<String> alarms = new ArrayList<>();
  volatile CompletionStage<Void> linearizable = CompletableFuture.completedFuture(null);
  volatile CompletionStage<Void> serializable = CompletableFuture.completedFuture(null);

  @Override
  public boolean hasLeader() {
    return hasLeader;
  }

  @Override
  public synchronized List<String> activeAlarms() {
    return List.copyOf(alarms);
  }

  @Override
  public CompletionStage<Void> linearizableRead() {
    return linearizable;
  }

  @Override
  public CompletionStage<Void> serializableRead() {
    return serializable;
  }

  @Override
  public boolean isLearner() {
    return learner;
  }

  @Override
  public String clusterVersion() {
    return "3.5.0";
  }
}
