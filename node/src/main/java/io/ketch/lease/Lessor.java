package io.ketch.lease;

import com.google.protobuf.ByteString;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Owns the leases: their TTLs, the keys attached to them, and (on the leader) their expiry.
 * Modelled on etcd's server/lease/lessor.go, without its goroutine: the member polls {@link
 * #expired(int)} and {@link #checkpointsDue(int)} and proposes what they return through the log.
 *
 * <p>Who calls what:
 *
 * <ul>
 *   <li>The apply thread, for entries that went through the log, identically on every member:
 *       {@link #grant}, {@link #revoke}, {@link #attach}, {@link #detach}, {@link #checkpoint},
 *       {@link #writeSnapshot}, {@link #restoreSnapshot}. These are deterministic: they never read
 *       the clock into the replicated state (only into the leader's expiry bookkeeping).
 *   <li>The leader side (the raft thread or whatever drives leadership), never through the log:
 *       {@link #promote}, {@link #demote}, {@link #renew}, {@link #expired}, {@link
 *       #checkpointsDue}.
 *   <li>Any thread (gRPC handlers included): {@link #timeToLive}, {@link #leases}, {@link
 *       #contains}, {@link #leaseOf}, {@link #isPrimary}.
 * </ul>
 *
 * One lock guards everything; no method does I/O while holding it except the snapshot methods,
 * which write to the stream they are given.
 *
 * <p>Only the primary (leader) lessor expires leases. A follower keeps every lease forever until it
 * is promoted; then each lease gets its last checkpointed remaining TTL (or its full TTL) plus an
 * extension, as in etcd, so a lease never expires early because leadership moved.
 */
public final class Lessor {

  /** The lease id meaning "no lease" (etcd's NoLease). */
  public static final long NO_LEASE = 0;

  /** etcd's MaxLeaseTTL, in seconds. */
  public static final long MAX_TTL_SECONDS = 9_000_000_000L;

  private static final long FOREVER = Long.MAX_VALUE;
  private static final int SNAPSHOT_VERSION = 1;

  /** A lease's state. The replicated part is id, ttl, remainingTtl and keys. */
  private static final class Lease {
    final long id;
    final long ttlSeconds;

    /** The last checkpointed remaining TTL in seconds; 0 means unset (use the full TTL). */
    long remainingTtlSeconds;

    /** Monotonic millis at which it expires; {@link #FOREVER} while this lessor is not primary. */
    long expiryMillis = FOREVER;

    final Set<ByteString> keys = new TreeSet<>(ByteString.unsignedLexicographicalComparator());

    Lease(long id, long ttlSeconds) {
      this.id = id;
      this.ttlSeconds = ttlSeconds;
    }

    long ttlToRestartWith() {
      return remainingTtlSeconds > 0 ? remainingTtlSeconds : ttlSeconds;
    }
  }

  private final LessorConfig config;
  private final LongSupplier clockMillis;
  private final Object lock = new Object();

  private final Map<Long, Lease> leases = new HashMap<>();
  private final Map<ByteString, Long> leaseByKey = new HashMap<>();
  private boolean primary;

  /** Primary only: when each lease expires, or when an expired one is handed out again. */
  private final DeadlineQueue expiries = new DeadlineQueue();

  /** Primary only: when each lease's remaining TTL is next checkpointed. */
  private final DeadlineQueue checkpoints = new DeadlineQueue();

  /** Primary only: renewed leases whose checkpointed remaining TTL must be cleared (set to 0). */
  private final Set<Long> checkpointsToClear = new LinkedHashSet<>();

  /**
   * @param clockMillis a monotonic clock in milliseconds (e.g. {@code System.nanoTime() /
   *     1_000_000}); only differences between its readings matter
   */
  public Lessor(LessorConfig config, LongSupplier clockMillis) {
    this.config = config;
    this.clockMillis = clockMillis;
  }

  public static LongSupplier systemClock() {
    return () -> System.nanoTime() / 1_000_000;
  }

  // ---- applied from the log (apply thread) ----

  /**
   * Grants lease {@code id} (non-zero; the member picks one for a request with ID 0).
   *
   * @return the granted TTL: {@code ttlSeconds} raised to the minimum
   * @throws LeaseException TTL_TOO_LARGE above {@link #MAX_TTL_SECONDS}, EXISTS if the id is taken,
   *     NOT_FOUND for id 0 (as etcd)
   */
  public long grant(long id, long ttlSeconds) {
    if (id == NO_LEASE) {
      throw new LeaseException(LeaseException.Kind.NOT_FOUND);
    }
    if (ttlSeconds > MAX_TTL_SECONDS) {
      throw new LeaseException(LeaseException.Kind.TTL_TOO_LARGE);
    }
    synchronized (lock) {
      if (leases.containsKey(id)) {
        throw new LeaseException(LeaseException.Kind.EXISTS);
      }
      Lease lease = new Lease(id, Math.max(ttlSeconds, config.minTtlSeconds()));
      leases.put(id, lease);
      if (primary) {
        startExpiry(lease, clockMillis.getAsLong(), 0);
      }
      return lease.ttlSeconds;
    }
  }

  /**
   * Revokes lease {@code id}.
   *
   * @return the keys that were attached, in key order: the member deletes them in the same applied
   *     entry, in this order, so every member produces the same revisions
   * @throws LeaseException NOT_FOUND
   */
  public List<ByteString> revoke(long id) {
    synchronized (lock) {
      Lease lease = leases.remove(id);
      if (lease == null) {
        throw new LeaseException(LeaseException.Kind.NOT_FOUND);
      }
      lease.keys.forEach(leaseByKey::remove);
      expiries.remove(id);
      checkpoints.remove(id);
      checkpointsToClear.remove(id);
      return List.copyOf(lease.keys);
    }
  }

  /**
   * Attaches {@code key} to lease {@code id}, moving it off any lease it was attached to. Called
   * when an applied put gives a key a lease.
   *
   * @throws LeaseException NOT_FOUND (the member checks {@link #contains} before applying the put)
   */
  public void attach(long id, ByteString key) {
    synchronized (lock) {
      Lease lease = leases.get(id);
      if (lease == null) {
        throw new LeaseException(LeaseException.Kind.NOT_FOUND);
      }
      Long previous = leaseByKey.put(key, id);
      if (previous != null && previous != id) {
        leases.get(previous).keys.remove(key);
      }
      lease.keys.add(key);
    }
  }

  /**
   * Detaches {@code key} from lease {@code id}: an applied put cleared or changed the key's lease,
   * or the key was deleted.
   *
   * @return whether the key was attached to that lease
   */
  public boolean detach(long id, ByteString key) {
    synchronized (lock) {
      Lease lease = leases.get(id);
      if (lease == null || !lease.keys.remove(key)) {
        return false;
      }
      leaseByKey.remove(key);
      return true;
    }
  }

  /**
   * Records a leader's checkpoint of a lease's remaining TTL (0 clears it). A checkpoint for a
   * lease that is gone is ignored, as in etcd. The current expiry is not changed: the remaining TTL
   * is used when a lessor is next promoted or restarted.
   */
  public void checkpoint(long id, long remainingTtlSeconds) {
    synchronized (lock) {
      Lease lease = leases.get(id);
      if (lease == null) {
        return;
      }
      lease.remainingTtlSeconds = Math.max(0, remainingTtlSeconds);
      if (primary) {
        scheduleCheckpoint(lease, clockMillis.getAsLong());
      }
    }
  }

  // ---- the leader side, not through the log ----

  /**
   * This member became leader: every lease expires after its checkpointed remaining TTL (else its
   * full TTL) plus {@code extraMillis} from now. etcd extends by the election timeout, so clients
   * have time to find the new leader and renew.
   */
  public void promote(long extraMillis) {
    synchronized (lock) {
      primary = true;
      long now = clockMillis.getAsLong();
      for (Lease lease : leases.values()) {
        startExpiry(lease, now, extraMillis);
      }
      spreadPiledUpExpiries();
    }
  }

  /** This member stopped leading: no lease expires here until it is promoted again. */
  public void demote() {
    synchronized (lock) {
      primary = false;
      for (Lease lease : leases.values()) {
        lease.expiryMillis = FOREVER;
      }
      expiries.clear();
      checkpoints.clear();
      checkpointsToClear.clear();
    }
  }

  /**
   * Renews a lease (one KeepAlive): it expires its full TTL from now.
   *
   * <p>A lease already past its expiry is answered NOT_FOUND: its revocation is on its way through
   * the log (etcd waits for it and then answers the same). If the lease had a checkpointed
   * remaining TTL, a checkpoint clearing it is queued for {@link #checkpointsDue}, so that a later
   * leader does not resume from the stale, shorter value.
   *
   * @return the lease's TTL in seconds
   * @throws LeaseException NOT_PRIMARY if this member does not lead, NOT_FOUND
   */
  public long renew(long id) {
    synchronized (lock) {
      if (!primary) {
        throw new LeaseException(LeaseException.Kind.NOT_PRIMARY);
      }
      Lease lease = leases.get(id);
      long now = clockMillis.getAsLong();
      if (lease == null || lease.expiryMillis <= now) {
        throw new LeaseException(LeaseException.Kind.NOT_FOUND);
      }
      if (lease.remainingTtlSeconds > 0) {
        checkpointsToClear.add(id);
      }
      lease.expiryMillis = now + lease.ttlSeconds * 1000;
      expiries.put(id, lease.expiryMillis);
      return lease.ttlSeconds;
    }
  }

  /**
   * The leases whose expiry has passed, at most {@code max}, soonest first, for the member to
   * propose LeaseRevoke for. A lease handed out is handed out again only after the retry interval,
   * should its revocation not have applied by then (etcd's expiredLeaseRetryInterval). Empty unless
   * primary.
   */
  public List<Long> expired(int max) {
    synchronized (lock) {
      List<Long> due = new ArrayList<>();
      if (!primary) {
        return due;
      }
      long now = clockMillis.getAsLong();
      DeadlineQueue.Deadline next;
      while (due.size() < max && (next = expiries.firstDue(now)) != null) {
        expiries.put(next.id(), now + config.expiredRetryIntervalMillis());
        due.add(next.id());
      }
      return due;
    }
  }

  /**
   * The checkpoints to propose now, at most {@code max}: first the clearing checkpoints renewals
   * asked for, then each lease whose checkpoint interval has passed and which has less than its
   * full TTL left. Empty unless primary.
   */
  public List<LeaseCheckpoint> checkpointsDue(int max) {
    synchronized (lock) {
      List<LeaseCheckpoint> due = new ArrayList<>();
      if (!primary) {
        return due;
      }
      var clears = checkpointsToClear.iterator();
      while (due.size() < max && clears.hasNext()) {
        long id = clears.next();
        clears.remove();
        Lease lease = leases.get(id);
        if (lease != null && lease.remainingTtlSeconds > 0) {
          due.add(new LeaseCheckpoint(id, 0));
        }
      }
      long now = clockMillis.getAsLong();
      DeadlineQueue.Deadline next;
      while (due.size() < max && (next = checkpoints.firstDue(now)) != null) {
        checkpoints.remove(next.id());
        Lease lease = leases.get(next.id());
        if (lease.expiryMillis <= now) {
          continue;
        }
        long remaining = ceilSeconds(lease.expiryMillis - now);
        if (remaining < lease.ttlSeconds) {
          due.add(new LeaseCheckpoint(lease.id, remaining));
        }
      }
      return due;
    }
  }

  // ---- queries (any thread) ----

  /**
   * What LeaseTimeToLive answers. On the primary the remaining TTL is counted from the expiry
   * (whole seconds, rounded down, never negative); elsewhere, where leases do not expire, it is the
   * TTL a promotion would start from. Either way the API layer should ask the leader, as etcd does.
   */
  public TimeToLive timeToLive(long id, boolean withKeys) {
    synchronized (lock) {
      Lease lease = leases.get(id);
      if (lease == null) {
        return TimeToLive.notFound(id);
      }
      long remaining =
          lease.expiryMillis == FOREVER
              ? lease.ttlToRestartWith()
              : Math.max(0, (lease.expiryMillis - clockMillis.getAsLong()) / 1000);
      return new TimeToLive(
          id, lease.ttlSeconds, remaining, withKeys ? List.copyOf(lease.keys) : List.of());
    }
  }

  /** The ids of all leases, ascending. */
  public List<Long> leases() {
    synchronized (lock) {
      return leases.keySet().stream().sorted().toList();
    }
  }

  public boolean contains(long id) {
    synchronized (lock) {
      return leases.containsKey(id);
    }
  }

  /** The lease {@code key} is attached to, or {@link #NO_LEASE}. */
  public long leaseOf(ByteString key) {
    synchronized (lock) {
      return leaseByKey.getOrDefault(key, NO_LEASE);
    }
  }

  public boolean isPrimary() {
    synchronized (lock) {
      return primary;
    }
  }

  // ---- snapshot (apply thread) ----

  /**
   * Writes the replicated state: every lease's id, TTL, checkpointed remaining TTL and keys, in id
   * and key order, so equal states give equal bytes on every member.
   */
  public void writeSnapshot(DataOutput out) throws IOException {
    synchronized (lock) {
      out.writeInt(SNAPSHOT_VERSION);
      out.writeInt(leases.size());
      for (Lease lease : new TreeMap<>(leases).values()) {
        out.writeLong(lease.id);
        out.writeLong(lease.ttlSeconds);
        out.writeLong(lease.remainingTtlSeconds);
        out.writeInt(lease.keys.size());
        for (ByteString key : lease.keys) {
          out.writeInt(key.size());
          out.write(key.toByteArray());
        }
      }
    }
  }

  /**
   * Replaces the whole state with a snapshot's. Leases then stand as after a restart: forever on a
   * follower; on the primary, restarted from their remaining (or full) TTL.
   */
  public void restoreSnapshot(DataInput in) throws IOException {
    int version = in.readInt();
    if (version != SNAPSHOT_VERSION) {
      throw new IOException("unknown lessor snapshot version " + version);
    }
    Map<Long, Lease> restored = new HashMap<>();
    for (int n = in.readInt(); n > 0; n--) {
      Lease lease = new Lease(in.readLong(), Math.max(in.readLong(), config.minTtlSeconds()));
      lease.remainingTtlSeconds = in.readLong();
      for (int k = in.readInt(); k > 0; k--) {
        byte[] key = new byte[in.readInt()];
        in.readFully(key);
        lease.keys.add(ByteString.copyFrom(key));
      }
      restored.put(lease.id, lease);
    }
    synchronized (lock) {
      leases.clear();
      leaseByKey.clear();
      expiries.clear();
      checkpoints.clear();
      checkpointsToClear.clear();
      leases.putAll(restored);
      long now = clockMillis.getAsLong();
      for (Lease lease : leases.values()) {
        lease.keys.forEach(key -> leaseByKey.put(key, lease.id));
        if (primary) {
          startExpiry(lease, now, 0);
        }
      }
    }
  }

  // ---- internals, under the lock ----

  private void startExpiry(Lease lease, long now, long extraMillis) {
    lease.expiryMillis = now + extraMillis + lease.ttlToRestartWith() * 1000;
    expiries.put(lease.id, lease.expiryMillis);
    scheduleCheckpoint(lease, now);
  }

  /**
   * Moves expiries later, never earlier, so that at most {@code promoteExpiriesPerSecond} fall in
   * any second: in expiry order, each lease expires no sooner than 1/rate s after the one before.
   * Leases that expire at a lower rate keep their expiry. (etcd's Promote does the same job with
   * one-second windows.)
   */
  private void spreadPiledUpExpiries() {
    int rate = config.promoteExpiriesPerSecond();
    if (leases.size() <= rate) {
      return; // cannot pile up beyond the rate
    }
    List<Lease> byExpiry = new ArrayList<>(leases.values());
    byExpiry.sort(
        Comparator.comparingLong((Lease l) -> l.expiryMillis).thenComparingLong(l -> l.id));
    long spacingMicros = 1_000_000 / rate;
    long previousMicros = Long.MIN_VALUE / 2;
    for (Lease lease : byExpiry) {
      long slotMicros = Math.max(lease.expiryMillis * 1000, previousMicros + spacingMicros);
      long slotMillis = (slotMicros + 999) / 1000;
      if (slotMillis != lease.expiryMillis) {
        lease.expiryMillis = slotMillis;
        expiries.put(lease.id, slotMillis);
      }
      previousMicros = slotMicros;
    }
  }

  /** As etcd: only leases that live longer than one interval need a checkpoint. */
  private void scheduleCheckpoint(Lease lease, long now) {
    if (lease.ttlToRestartWith() * 1000 > config.checkpointIntervalMillis()) {
      checkpoints.put(lease.id, now + config.checkpointIntervalMillis());
    }
  }

  private static long ceilSeconds(long millis) {
    return (millis + 999) / 1000;
  }
}
