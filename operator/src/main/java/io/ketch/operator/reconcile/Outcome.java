package io.ketch.operator.reconcile;

import io.ketch.operator.model.EtcdClusterStatus;
import java.time.Duration;

/** A reconcile's result: the status to write and when to look again. */
record Outcome(EtcdClusterStatus status, Duration requeueAfter) {}
