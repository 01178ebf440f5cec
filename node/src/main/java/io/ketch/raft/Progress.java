package io.ketch.raft;

/**
 * The leader's view of one follower (or learner). Invariant: {@code 0 <= match < next}. The state
 * decides how entries flow:
 *
 * <ul>
 *   <li>PROBE: the leader does not know where the follower's log matches; it sends at most one
 *       MSG_APP per heartbeat interval and waits for the answer to move {@code next}.
 *   <li>REPLICATE: the logs match up to {@code match}; the leader streams entries optimistically,
 *       advancing {@code next} as it sends, within the {@link Inflights} window.
 *   <li>SNAPSHOT: the entries the follower needs are compacted; a snapshot is on its way and
 *       nothing else is sent until {@link RawNode#reportSnapshot} or an acknowledgement.
 * </ul>
 */
final class Progress {
  enum State {
    PROBE,
    REPLICATE,
    SNAPSHOT
  }

  long match;
  long next;
  State state = State.PROBE;

  /** In SNAPSHOT state: the index of the snapshot being sent. */
  long pendingSnapshot;

  /** Heard from since the last CheckQuorum round (thesis 6.2). */
  boolean recentActive;

  /** In PROBE: a probe is outstanding. In REPLICATE: the inflights window is full. */
  boolean msgAppFlowPaused;

  boolean learner;
  final Inflights inflights;

  Progress(long match, long next, int maxInflight, long maxInflightBytes, boolean learner) {
    this.match = match;
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
    this.learner = learner;
  }

  private void resetState(State newState) {
    msgAppFlowPaused = false;
    pendingSnapshot = 0;
    state = newState;
    inflights.reset();
  }

  void becomeProbe() {
    if (state == State.SNAPSHOT) {
      // The snapshot (if it arrived) covers up to pendingSnapshot: probe right after it.
      long pending = pendingSnapshot;
      resetState(State.PROBE);
      next = Math.max(match + 1, pending + 1);
    } else {
      resetState(State.PROBE);
      next = match + 1;
    }
  }

  void becomeReplicate() {
    resetState(State.REPLICATE);
    next = match + 1;
  }

  void becomeSnapshot(long snapshotIndex) {
    resetState(State.SNAPSHOT);
    pendingSnapshot = snapshotIndex;
    next = snapshotIndex + 1;
  }

  /** Records a MSG_APP of {@code entries} entries ({@code bytes} payload) starting at next. */
  void sentEntries(int entries, long bytes) {
    switch (state) {
      case REPLICATE -> {
        if (entries > 0) {
          long last = next + entries - 1;
          next = last + 1;
          inflights.add(last, bytes);
        }
        msgAppFlowPaused = inflights.full();
      }
      case PROBE -> {
        if (entries > 0) {
          msgAppFlowPaused = true;
        }
      }
      case SNAPSHOT -> throw new IllegalStateException("sending entries in SNAPSHOT state");
    }
  }

  /** An acknowledgement up to {@code n}; false if it is stale. */
  boolean maybeUpdate(long n) {
    if (n <= match) {
      return false;
    }
    match = n;
    next = Math.max(next, n + 1);
    msgAppFlowPaused = false;
    return true;
  }

  /**
   * A rejection of the MSG_APP whose previous index was {@code rejected}; {@code hint} is where the
   * follower suggests probing next. False if the rejection is stale.
   */
  boolean maybeDecrTo(long rejected, long hint) {
    if (state == State.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    // In PROBE only the answer to the latest probe (at next - 1) counts.
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, hint + 1), match + 1);
    msgAppFlowPaused = false;
    return true;
  }

  boolean isPaused() {
    return switch (state) {
      case PROBE, REPLICATE -> msgAppFlowPaused;
      case SNAPSHOT -> true;
    };
  }

  ProgressView view() {
    return new ProgressView(match, next, state.name(), recentActive, learner);
  }

  @Override
  public String toString() {
    return state + " match=" + match + " next=" + next + (learner ? " learner" : "");
  }
}
