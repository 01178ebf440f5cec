package io.ketch.e2e.faults;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What concurrent clients did: every operation with its invocation and completion times
 * (System.nanoTime) and what it returned. An operation whose outcome is unknown (a timeout, an
 * error after it may have been sent) completes at {@link #NEVER} with an {@link Output#ambiguous()}
 * output: it may or may not have taken effect, at any time after its invocation.
 */
public final class History {

  /** The completion time of an operation whose outcome is unknown. */
  public static final long NEVER = Long.MAX_VALUE;

  /** A key's value as a read returns it (etcd's mvccpb.KeyValue, with strings). */
  public record KV(
      String key, String value, long createRevision, long modRevision, long version, long lease)
      implements Serializable {}

  /** What a client asked. */
  public sealed interface Input extends Serializable {}

  public record Get(String key) implements Input {}

  /** A range over every key of the run. */
  public record Range() implements Input {}

  /** Lease 0: none. */
  public record Put(String key, String value, long lease) implements Input {}

  public record Delete(String key) implements Input {}

  /**
   * If mod_revision(key) == expectedModRevision then put(key, value) else get(key): etcd's usual
   * compare-and-swap.
   */
  public record Txn(String key, long expectedModRevision, String value) implements Input {}

  public record Grant(long ttl) implements Input {}

  public record Revoke(long lease) implements Input {}

  /**
   * What came back. {@code revision} is the response header's; {@code kvs} what a read (or a failed
   * txn's else-branch) returned; {@code leaseNotFound} etcd's "requested lease not found".
   */
  public record Output(
      boolean unknown,
      long revision,
      List<KV> kvs,
      boolean succeeded,
      long deleted,
      long lease,
      boolean leaseNotFound)
      implements Serializable {

    public static Output ambiguous() {
      return new Output(true, 0, List.of(), false, 0, 0, false);
    }

    public static Output read(long revision, List<KV> kvs) {
      return new Output(false, revision, List.copyOf(kvs), false, 0, 0, false);
    }

    public static Output write(long revision) {
      return new Output(false, revision, List.of(), true, 0, 0, false);
    }

    public static Output deleted(long revision, long deleted) {
      return new Output(false, revision, List.of(), true, deleted, 0, false);
    }

    public static Output txn(long revision, boolean succeeded, List<KV> elseKvs) {
      return new Output(false, revision, List.copyOf(elseKvs), succeeded, 0, 0, false);
    }

    public static Output granted(long lease) {
      return new Output(false, 0, List.of(), true, 0, lease, false);
    }

    public static Output revoked() {
      return new Output(false, 0, List.of(), true, 0, 0, false);
    }

    public static Output noSuchLease() {
      return new Output(false, 0, List.of(), false, 0, 0, true);
    }

    @Override
    public String toString() {
      if (unknown) {
        return "?";
      }
      if (leaseNotFound) {
        return "lease not found";
      }
      return "rev="
          + revision
          + (kvs.isEmpty() ? "" : " kvs=" + kvs)
          + (succeeded ? "" : " failed")
          + (deleted == 0 ? "" : " deleted=" + deleted)
          + (lease == 0 ? "" : " lease=" + Long.toHexString(lease));
    }
  }

  /** One operation: invoked at {@code call}, completed at {@code ret} (or {@link #NEVER}). */
  public record Op(int id, int client, long call, long ret, Input input, Output output)
      implements Serializable {
    @Override
    public String toString() {
      return "#"
          + id
          + " c"
          + client
          + " ["
          + call
          + ", "
          + (ret == NEVER ? "∞" : ret)
          + "] "
          + input
          + " -> "
          + output;
    }
  }

  private final List<Op> ops = new ArrayList<>();

  /** Records a completed (or, with ret = NEVER and an unknown output, an unresolved) op. */
  public synchronized Op add(int client, long call, long ret, Input input, Output output) {
    Op op = new Op(ops.size(), client, call, ret, input, output);
    ops.add(op);
    return op;
  }

  public synchronized List<Op> ops() {
    return List.copyOf(ops);
  }

  public synchronized long count(boolean unknown) {
    return ops.stream().filter(op -> op.output().unknown() == unknown).count();
  }

  /** The history, one op a line, in invocation order: enough to replay a failure by hand. */
  public synchronized String dump() {
    return ops.stream()
        .sorted(Comparator.comparingLong(Op::call))
        .map(Op::toString)
        .collect(Collectors.joining("\n"));
  }
}
