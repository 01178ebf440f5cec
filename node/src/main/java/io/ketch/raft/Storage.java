package io.ketch.raft;

import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Snapshot;
import java.util.List;

/**
 * The log as raft reads it. Owned by raft, implemented by the application (in memory for tests, on
 * the write-ahead log in io.ketch.storage). Raft only reads through this interface; the application
 * writes what each {@code Ready} hands it before calling {@code advance}.
 *
 * <p>Indices: the log holds entries {@code [firstIndex(), lastIndex()]}; the entry at {@code
 * firstIndex() - 1} is the last one covered by the snapshot, whose term must still be answerable by
 * {@link #term}.
 */
public interface Storage {

  /** The durable HardState and the configuration as of the last snapshot or applied conf change. */
  InitialState initialState();

  /**
   * Entries with indices in {@code [lo, hi)}, at most {@code maxSize} bytes in total (by serialized
   * size) but always at least one entry when {@code lo < hi}.
   *
   * @throws CompactedException if {@code lo < firstIndex()}
   * @throws UnavailableException if {@code hi > lastIndex() + 1}
   */
  List<Entry> entries(long lo, long hi, long maxSize);

  /**
   * The term of the entry at {@code index}, for {@code index} in {@code [firstIndex() - 1,
   * lastIndex()]}.
   *
   * @throws CompactedException if {@code index < firstIndex() - 1}
   * @throws UnavailableException if {@code index > lastIndex()}
   */
  long term(long index);

  /** The index of the last entry; {@code firstIndex() - 1} when the log is empty. */
  long lastIndex();

  /**
   * The index of the first entry still held; older ones are only reachable through {@link
   * #snapshot()}.
   */
  long firstIndex();

  /**
   * The most recent snapshot.
   *
   * @throws SnapshotTemporarilyUnavailableException if it is being made; raft asks again later
   */
  Snapshot snapshot();

  /** What a node restarts with. */
  record InitialState(HardState hardState, ConfState confState) {}

  /** The requested index is older than the first entry still held. */
  final class CompactedException extends RuntimeException {
    public CompactedException(long index, long firstIndex) {
      super(
          "requested index "
              + index
              + " is unavailable due to compaction (first index "
              + firstIndex
              + ")");
    }
  }

  /** The requested index is beyond the last entry. */
  final class UnavailableException extends RuntimeException {
    public UnavailableException(long index, long lastIndex) {
      super("requested entry at index " + index + " is unavailable (last index " + lastIndex + ")");
    }
  }

  /** A snapshot is being made; the caller should retry later. */
  final class SnapshotTemporarilyUnavailableException extends RuntimeException {
    public SnapshotTemporarilyUnavailableException() {
      super("snapshot is temporarily unavailable");
    }
  }
}
