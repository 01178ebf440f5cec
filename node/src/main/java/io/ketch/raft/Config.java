package io.ketch.raft;

import io.ketch.raft.pb.Entry;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;

/**
 * How a {@link RawNode} behaves. Sizes are in bytes; a limit of 0 means "no limit" except where
 * noted.
 *
 * @param id this node's id, never 0
 * @param electionTick ticks a follower waits without hearing from a leader before campaigning; the
 *     actual timeout is drawn from {@code [electionTick, 2 * electionTick)} on every reset (paper
 *     5.2). Must exceed {@code heartbeatTick}; 10 x heartbeatTick is the usual choice.
 * @param heartbeatTick ticks between a leader's heartbeats
 * @param storage where the log, HardState and configuration are read from on start and afterwards
 * @param applied the last index the application has already applied (0 if unknown); committed
 *     entries up to it are not handed out again after a restart
 * @param maxSizePerMsg the byte budget of the entries in one MSG_APP; 0 means one entry per message
 * @param maxCommittedSizePerReady the byte budget of {@link Ready#committedEntries()}; at least one
 *     entry is always handed out; 0 means the same as {@code maxSizePerMsg}
 * @param maxUncommittedEntriesSize the cap on the payload bytes of a leader's uncommitted entries;
 *     proposals over it are dropped (one entry is always accepted when nothing is uncommitted)
 * @param maxInflightMsgs how many MSG_APP may be unacknowledged per follower in REPLICATE state
 * @param maxInflightBytes the payload bytes that may be unacknowledged per follower
 * @param checkQuorum a leader steps down when a quorum was not active within an election timeout,
 *     and followers ignore vote requests while they hear from a leader (thesis 6.2, 4.2.3)
 * @param preVote campaign first without raising the term, so a partitioned node rejoining does not
 *     disrupt the cluster (thesis 9.6)
 * @param disableProposalForwarding followers drop proposals instead of forwarding them to the
 *     leader
 * @param refusedConfChange what a leader appends in place of a conf change it refuses (one is
 *     already pending): a normal entry, which the application sees committed and can tell its
 *     proposer about; an empty one by default, as etcd's raft
 * @param random the only source of randomness: the election timeout jitter
 */
public record Config(
    long id,
    int electionTick,
    int heartbeatTick,
    Storage storage,
    long applied,
    long maxSizePerMsg,
    long maxCommittedSizePerReady,
    long maxUncommittedEntriesSize,
    int maxInflightMsgs,
    long maxInflightBytes,
    boolean checkQuorum,
    boolean preVote,
    boolean disableProposalForwarding,
    UnaryOperator<Entry> refusedConfChange,
    RandomGenerator random) {

  static final long NO_LIMIT = Long.MAX_VALUE;

  public Config {
    if (id == 0) {
      throw new IllegalArgumentException("id must not be 0");
    }
    if (heartbeatTick <= 0) {
      throw new IllegalArgumentException("heartbeatTick must be greater than 0");
    }
    if (electionTick <= heartbeatTick) {
      throw new IllegalArgumentException("electionTick must be greater than heartbeatTick");
    }
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(random, "random");
    Objects.requireNonNull(refusedConfChange, "refusedConfChange");
    if (applied < 0
        || maxSizePerMsg < 0
        || maxCommittedSizePerReady < 0
        || maxUncommittedEntriesSize < 0
        || maxInflightBytes < 0) {
      throw new IllegalArgumentException("sizes and indices must not be negative");
    }
    if (maxInflightMsgs <= 0) {
      throw new IllegalArgumentException("maxInflightMsgs must be greater than 0");
    }
    if (maxInflightBytes != 0 && maxInflightBytes < maxSizePerMsg) {
      throw new IllegalArgumentException("maxInflightBytes must be >= maxSizePerMsg");
    }
  }

  /**
   * etcd's defaults: election after 10 ticks, heartbeat every tick, 1 MiB per message and per
   * Ready, 256 messages in flight per follower, 1 GiB uncommitted, CheckQuorum and PreVote on. The
   * random generator is seeded by the id so that a node's behaviour is reproducible; pass a better
   * one with {@link #withRandom} in production.
   */
  public static Config defaults(long id, Storage storage) {
    return new Config(
        id,
        10,
        1,
        storage,
        0,
        1 << 20,
        1 << 20,
        1L << 30,
        256,
        0,
        true,
        true,
        false,
        refused -> Entry.getDefaultInstance(),
        new Random(id));
  }

  public Config withElectionTick(int ticks) {
    return edit(c -> c.electionTick = ticks);
  }

  public Config withHeartbeatTick(int ticks) {
    return edit(c -> c.heartbeatTick = ticks);
  }

  public Config withApplied(long index) {
    return edit(c -> c.applied = index);
  }

  public Config withMaxSizePerMsg(long bytes) {
    return edit(c -> c.maxSizePerMsg = bytes);
  }

  public Config withMaxCommittedSizePerReady(long bytes) {
    return edit(c -> c.maxCommittedSizePerReady = bytes);
  }

  public Config withMaxUncommittedEntriesSize(long bytes) {
    return edit(c -> c.maxUncommittedEntriesSize = bytes);
  }

  public Config withMaxInflight(int msgs, long bytes) {
    return edit(
        c -> {
          c.maxInflightMsgs = msgs;
          c.maxInflightBytes = bytes;
        });
  }

  public Config withCheckQuorum(boolean on) {
    return edit(c -> c.checkQuorum = on);
  }

  public Config withPreVote(boolean on) {
    return edit(c -> c.preVote = on);
  }

  public Config withDisableProposalForwarding(boolean on) {
    return edit(c -> c.disableProposalForwarding = on);
  }

  /** The entry must be a normal one: raft must not see it as a conf change. */
  public Config withRefusedConfChange(UnaryOperator<Entry> replacement) {
    return edit(c -> c.refusedConfChange = replacement);
  }

  public Config withRandom(RandomGenerator generator) {
    return edit(c -> c.random = generator);
  }

  /** A copy with some fields changed, validated again by the canonical constructor. */
  private Config edit(Consumer<Fields> change) {
    Fields f = new Fields(this);
    change.accept(f);
    return new Config(
        f.id,
        f.electionTick,
        f.heartbeatTick,
        f.storage,
        f.applied,
        f.maxSizePerMsg,
        f.maxCommittedSizePerReady,
        f.maxUncommittedEntriesSize,
        f.maxInflightMsgs,
        f.maxInflightBytes,
        f.checkQuorum,
        f.preVote,
        f.disableProposalForwarding,
        f.refusedConfChange,
        f.random);
  }

  /** The record's fields, mutable, for {@link #edit}. */
  private static final class Fields {
    final long id;
    int electionTick;
    int heartbeatTick;
    final Storage storage;
    long applied;
    long maxSizePerMsg;
    long maxCommittedSizePerReady;
    long maxUncommittedEntriesSize;
    int maxInflightMsgs;
    long maxInflightBytes;
    boolean checkQuorum;
    boolean preVote;
    boolean disableProposalForwarding;
    UnaryOperator<Entry> refusedConfChange;
    RandomGenerator random;

    Fields(Config c) {
      id = c.id;
      electionTick = c.electionTick;
      heartbeatTick = c.heartbeatTick;
      storage = c.storage;
      applied = c.applied;
      maxSizePerMsg = c.maxSizePerMsg;
      maxCommittedSizePerReady = c.maxCommittedSizePerReady;
      maxUncommittedEntriesSize = c.maxUncommittedEntriesSize;
      maxInflightMsgs = c.maxInflightMsgs;
      maxInflightBytes = c.maxInflightBytes;
      checkQuorum = c.checkQuorum;
      preVote = c.preVote;
      disableProposalForwarding = c.disableProposalForwarding;
      refusedConfChange = c.refusedConfChange;
      random = c.random;
    }
  }

  /** The byte budget of committed entries per Ready, with 0 resolved. */
  long committedSizePerReady() {
    return maxCommittedSizePerReady == 0 ? Math.max(maxSizePerMsg, 1) : maxCommittedSizePerReady;
  }

  long uncommittedCap() {
    return maxUncommittedEntriesSize == 0 ? NO_LIMIT : maxUncommittedEntriesSize;
  }
}
