package io.ketch.raft;

import io.ketch.raft.pb.ConfChangeSingle;
import io.ketch.raft.pb.ConfState;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes a new configuration (and the progress map that goes with it) from the current one and a
 * change, without touching the tracker: the caller switches to the result. Three kinds of change
 * (thesis chapter 4): a simple change of at most one voter; entering a joint configuration in which
 * the old voters (outgoing) and the new ones (incoming) must both agree; leaving it.
 */
final class ConfChanger {
  record Result(ProgressTracker.Membership config, Map<Long, Progress> progress) {}

  private final ProgressTracker tracker;
  private final long lastIndex;

  ConfChanger(ProgressTracker tracker, long lastIndex) {
    this.tracker = tracker;
    this.lastIndex = lastIndex;
  }

  /** Enters a joint configuration: the current voters become the outgoing half. */
  Result enterJoint(boolean autoLeave, List<ConfChangeSingle> changes) {
    Result r = copy();
    if (r.config.joint()) {
      throw new IllegalArgumentException("config is already joint");
    }
    if (r.config.voters.isEmpty()) {
      throw new IllegalArgumentException("can't make a zero-voter config joint");
    }
    r.config.outgoing.addAll(r.config.voters);
    apply(r, changes);
    r.config.autoLeave = autoLeave;
    return finish(r);
  }

  /** Leaves a joint configuration: the outgoing half is dropped, learnersNext become learners. */
  Result leaveJoint() {
    Result r = copy();
    if (!r.config.joint()) {
      throw new IllegalArgumentException("can't leave a non-joint config");
    }
    for (long id : r.config.learnersNext) {
      r.config.learners.add(id);
    }
    r.config.learnersNext.clear();
    for (long id : r.config.outgoing) {
      if (!r.config.voters.contains(id) && !r.config.learners.contains(id)) {
        r.progress.remove(id);
      }
    }
    r.config.outgoing.clear();
    r.config.autoLeave = false;
    return finish(r);
  }

  /**
   * Applies changes that alter at most one voter, so that any majority of the old voters overlaps
   * any majority of the new ones (thesis 4.1) and no joint configuration is needed.
   */
  Result simple(List<ConfChangeSingle> changes) {
    Result r = copy();
    if (r.config.joint()) {
      throw new IllegalArgumentException("can't apply simple config change in joint config");
    }
    apply(r, changes);
    Set<Long> diff = new HashSet<>(tracker.config.voters);
    diff.addAll(r.config.voters);
    Set<Long> both = new HashSet<>(tracker.config.voters);
    both.retainAll(r.config.voters);
    diff.removeAll(both);
    if (diff.size() > 1) {
      throw new IllegalArgumentException(
          "more than one voter changed without entering joint config");
    }
    return finish(r);
  }

  /** The configuration a restarting node (or a snapshot) describes, with fresh progress. */
  static Result restore(ProgressTracker tracker, long lastIndex, ConfState cs) {
    ConfChanger changer = new ConfChanger(tracker, lastIndex);
    Result r = new Result(new ProgressTracker.Membership(), new TreeMap<>());
    r.config.voters.addAll(cs.getVotersList());
    r.config.outgoing.addAll(cs.getVotersOutgoingList());
    r.config.learners.addAll(cs.getLearnersList());
    r.config.learnersNext.addAll(cs.getLearnersNextList());
    r.config.autoLeave = cs.getAutoLeave();
    TreeSet<Long> members = new TreeSet<>(r.config.voters);
    members.addAll(r.config.outgoing);
    for (long id : r.config.learners) {
      if (members.contains(id)) {
        throw new IllegalArgumentException("node " + id + " is both voter and learner");
      }
    }
    members.addAll(r.config.learners);
    for (long id : members) {
      r.progress.put(id, changer.newProgress(r.config.learners.contains(id)));
    }
    return r;
  }

  /**
   * The result with every progress' learner flag set from the configuration. Progress objects are
   * shared with the current tracker, so flags are only touched once the change is known valid.
   */
  private static Result finish(Result r) {
    r.progress.forEach((id, pr) -> pr.learner = r.config.learners.contains(id));
    return r;
  }

  private Result copy() {
    Map<Long, Progress> prs = new TreeMap<>(tracker.progress);
    return new Result(tracker.config.copy(), prs);
  }

  private void apply(Result r, List<ConfChangeSingle> changes) {
    for (ConfChangeSingle cc : changes) {
      long id = cc.getNodeId();
      if (id == 0) {
        continue;
      }
      switch (cc.getType()) {
        case CONF_CHANGE_ADD_NODE -> makeVoter(r, id);
        case CONF_CHANGE_ADD_LEARNER_NODE -> makeLearner(r, id);
        case CONF_CHANGE_REMOVE_NODE -> remove(r, id);
        case CONF_CHANGE_UPDATE_NODE -> {}
        default ->
            throw new IllegalArgumentException("unexpected conf change type " + cc.getType());
      }
    }
    if (r.config.voters.isEmpty()) {
      throw new IllegalArgumentException("removed all voters");
    }
  }

  private void makeVoter(Result r, long id) {
    Progress pr = r.progress.get(id);
    if (pr == null) {
      initProgress(r, id, false);
      return;
    }
    r.config.learners.remove(id);
    r.config.learnersNext.remove(id);
    r.config.voters.add(id);
  }

  /**
   * Makes {@code id} a learner. A voter of the outgoing half cannot become a learner while it still
   * votes there, so it is staged in learnersNext until the joint configuration is left.
   */
  private void makeLearner(Result r, long id) {
    Progress pr = r.progress.get(id);
    if (pr == null) {
      initProgress(r, id, true);
      return;
    }
    if (r.config.learners.contains(id)) {
      return;
    }
    remove(r, id);
    r.progress.put(id, pr);
    if (r.config.outgoing.contains(id)) {
      r.config.learnersNext.add(id);
    } else {
      r.config.learners.add(id);
    }
  }

  private void remove(Result r, long id) {
    if (!r.progress.containsKey(id)) {
      return;
    }
    r.config.voters.remove(id);
    r.config.learners.remove(id);
    r.config.learnersNext.remove(id);
    if (!r.config.outgoing.contains(id)) {
      r.progress.remove(id);
    }
  }

  private void initProgress(Result r, long id, boolean learner) {
    if (learner) {
      r.config.learners.add(id);
    } else {
      r.config.voters.add(id);
    }
    r.progress.put(id, newProgress(learner));
  }

  private Progress newProgress(boolean learner) {
    // Probing from the last index finds the match point fast for a new or empty follower; it
    // counts as recently active so that CheckQuorum does not depose the leader right away.
    Progress pr =
        new Progress(
            0, Math.max(lastIndex, 1), tracker.maxInflight, tracker.maxInflightBytes, learner);
    pr.recentActive = true;
    return pr;
  }
}
