package io.ketch.raft;

import io.ketch.raft.pb.ConfState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cluster configuration and the leader's {@link Progress} of every member, with the quorum
 * arithmetic. In a joint configuration (thesis 4.3) a decision needs a majority of the incoming
 * voters AND a majority of the outgoing voters.
 */
final class ProgressTracker {

  /** A configuration; always copied before a change so a failed change leaves no trace. */
  static final class Membership {
    final TreeSet<Long> voters = new TreeSet<>();

    /** The outgoing voters; non-empty only in a joint configuration. */
    final TreeSet<Long> outgoing = new TreeSet<>();

    final TreeSet<Long> learners = new TreeSet<>();

    /** Outgoing voters that become learners when the joint configuration is left. */
    final TreeSet<Long> learnersNext = new TreeSet<>();

    boolean autoLeave;

    boolean joint() {
      return !outgoing.isEmpty();
    }

    Membership copy() {
      Membership c = new Membership();
      c.voters.addAll(voters);
      c.outgoing.addAll(outgoing);
      c.learners.addAll(learners);
      c.learnersNext.addAll(learnersNext);
      c.autoLeave = autoLeave;
      return c;
    }

    ConfState confState() {
      return ConfState.newBuilder()
          .addAllVoters(voters)
          .addAllLearners(learners)
          .addAllVotersOutgoing(outgoing)
          .addAllLearnersNext(learnersNext)
          .setAutoLeave(autoLeave)
          .build();
    }

    @Override
    public String toString() {
      return "voters="
          + voters
          + (joint() ? "&&" + outgoing : "")
          + " learners="
          + learners
          + (learnersNext.isEmpty() ? "" : " learnersNext=" + learnersNext)
          + (autoLeave ? " autoleave" : "");
    }
  }

  enum VoteResult {
    PENDING,
    LOST,
    WON
  }

  final int maxInflight;
  final long maxInflightBytes;
  Membership config = new Membership();
  Map<Long, Progress> progress = new TreeMap<>();
  private long[] matches = new long[0];
  private final Map<Long, Boolean> votes = new HashMap<>();

  ProgressTracker(int maxInflight, long maxInflightBytes) {
    this.maxInflight = maxInflight;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** The highest index stored on a quorum (of both halves of a joint configuration). */
  long committed() {
    return Math.min(majorityCommitted(config.voters), majorityCommitted(config.outgoing));
  }

  private long majorityCommitted(TreeSet<Long> ids) {
    if (ids.isEmpty()) {
      // An empty half (the outgoing one of a plain configuration) never holds a decision back.
      return Long.MAX_VALUE;
    }
    // Asked on every append response: the ids stay boxed (a member id is never a cached Long) and
    // the matches go into a reused array.
    if (matches.length < ids.size()) {
      matches = new long[ids.size()];
    }
    int n = 0;
    for (Long id : ids) {
      Progress pr = progress.get(id);
      matches[n++] = pr == null ? 0 : pr.match;
    }
    Arrays.sort(matches, 0, n);
    return matches[n - (n / 2 + 1)];
  }

  VoteResult voteResult(Map<Long, Boolean> ballots) {
    VoteResult in = majorityVote(config.voters, ballots);
    VoteResult out = majorityVote(config.outgoing, ballots);
    if (in == out) {
      return in;
    }
    if (in == VoteResult.LOST || out == VoteResult.LOST) {
      return VoteResult.LOST;
    }
    return VoteResult.PENDING;
  }

  private static VoteResult majorityVote(TreeSet<Long> ids, Map<Long, Boolean> ballots) {
    if (ids.isEmpty()) {
      return VoteResult.WON;
    }
    int yes = 0;
    int missing = 0;
    for (long id : ids) {
      Boolean v = ballots.get(id);
      if (v == null) {
        missing++;
      } else if (v) {
        yes++;
      }
    }
    int quorum = ids.size() / 2 + 1;
    if (yes >= quorum) {
      return VoteResult.WON;
    }
    if (yes + missing >= quorum) {
      return VoteResult.PENDING;
    }
    return VoteResult.LOST;
  }

  /** Whether a quorum of voters was recently active (the leader counts itself as active). */
  boolean quorumActive() {
    Map<Long, Boolean> active = new HashMap<>();
    progress.forEach(
        (id, pr) -> {
          if (!pr.learner) {
            active.put(id, pr.recentActive);
          }
        });
    return voteResult(active) == VoteResult.WON;
  }

  boolean isSingleton() {
    return config.voters.size() == 1 && config.outgoing.isEmpty();
  }

  boolean isVoter(long id) {
    return config.voters.contains(id) || config.outgoing.contains(id);
  }

  List<Long> voterIds() {
    TreeSet<Long> ids = new TreeSet<>(config.voters);
    ids.addAll(config.outgoing);
    return new ArrayList<>(ids);
  }

  void resetVotes() {
    votes.clear();
  }

  /** Records the first vote of {@code id}; later ones (duplicates) are ignored. */
  void recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
  }

  VoteResult tallyVotes() {
    return voteResult(votes);
  }

  ConfState confState() {
    return config.confState();
  }
}
