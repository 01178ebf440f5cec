package io.ketch.operator.reconcile;

/** What a step did or waits for: the Progressing condition's reason and message. */
record Progress(String reason, String message) {
  static final String BOOTSTRAPPING = "Bootstrapping";
  static final String SCALING_OUT = "ScalingOut";
  static final String SCALING_IN = "ScalingIn";
  static final String HEALING = "Healing";
  static final String UPGRADING = "Upgrading";
  static final String WAITING = "WaitingForMembers";
}
