package io.ketch.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The three conditions of an EtcdCluster, in Kubernetes' convention (a positive type, status True
 * or False). A condition's lastTransitionTime moves only when its status changes; reason and
 * message may change without it.
 */
final class Conditions {
  static final String AVAILABLE = "Available";
  static final String PROGRESSING = "Progressing";
  static final String DEGRADED = "Degraded";

  private Conditions() {}

  /** The conditions with one set; the previous list is not changed. */
  static List<Condition> with(
      List<Condition> previous,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now) {
    String value = status ? "True" : "False";
    Condition old = find(previous, type);
    String since =
        old != null && value.equals(old.getStatus())
            ? old.getLastTransitionTime()
            : now.truncatedTo(ChronoUnit.SECONDS).toString();
    Condition updated =
        new ConditionBuilder()
            .withType(type)
            .withStatus(value)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(since)
            .build();
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : previous == null ? List.<Condition>of() : previous) {
      if (Objects.equals(c.getType(), type)) {
        result.add(updated);
        replaced = true;
      } else {
        result.add(c);
      }
    }
    if (!replaced) {
      result.add(updated);
    }
    return result;
  }

  static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }
}
