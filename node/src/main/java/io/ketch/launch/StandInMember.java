package io.ketch.launch;

import io.ketch.api.http.HealthSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers the health endpoints until the real member is wired in its place: a lone voter that
 * always has a leader, no alarms, and reads that succeed.
 */
final class StandInMember implements HealthSource {
  @Override
  public boolean hasLeader() {
    return true;
  }

  @Override
  public List<String> activeAlarms() {
    return List.of();
  }

  @Override
  public CompletionStage<Void> linearizableRead() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<Void> serializableRead() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean isLearner() {
    return false;
  }

  @Override
  public String clusterVersion() {
    return "3.5.0";
  }
}
