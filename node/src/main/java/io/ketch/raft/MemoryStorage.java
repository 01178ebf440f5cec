package io.ketch.raft;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Snapshot;
import io.ketch.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} held in memory: for tests, and as the member's cache of its log. Writers call
 * {@link #append}, {@link #setHardState} and {@link #applySnapshot} with what a {@link Ready} hands
 * them; {@link #createSnapshot} and {@link #compact} trim the log once the application has a
 * snapshot. Every method is synchronized, so one writer and many readers may share it.
 */
public final class MemoryStorage implements Storage {

  private HardState hardState = HardState.getDefaultInstance();
  private Snapshot snapshot;

  /** entries.get(0) is a placeholder carrying the index and term of the last compacted entry. */
  private final List<Entry> entries = new ArrayList<>();

  /** An empty storage with no configuration: for a node that will receive a snapshot. */
  public MemoryStorage() {
    this(ConfState.getDefaultInstance());
  }

  /** An empty log whose configuration is {@code initial}: how a new cluster's members start. */
  public MemoryStorage(ConfState initial) {
    snapshot =
        Snapshot.newBuilder()
            .setMetadata(SnapshotMetadata.newBuilder().setConfState(initial))
            .build();
    entries.add(Entry.getDefaultInstance());
  }

  @Override
  public synchronized InitialState initialState() {
    return new InitialState(hardState, snapshot.getMetadata().getConfState());
  }

  public synchronized void setHardState(HardState state) {
    hardState = state;
  }

  @Override
  public synchronized List<Entry> entries(long lo, long hi, long maxSize) {
    long offset = offset();
    if (lo <= offset) {
      throw new CompactedException(lo, offset + 1);
    }
    if (hi > lastIndexLocked() + 1) {
      throw new UnavailableException(hi - 1, lastIndexLocked());
    }
    return limitSize(entries.subList((int) (lo - offset), (int) (hi - offset)), maxSize);
  }

  @Override
  public synchronized long term(long index) {
    long offset = offset();
    if (index < offset) {
      throw new CompactedException(index, offset + 1);
    }
    if (index - offset >= entries.size()) {
      throw new UnavailableException(index, lastIndexLocked());
    }
    return entries.get((int) (index - offset)).getTerm();
  }

  @Override
  public synchronized long lastIndex() {
    return lastIndexLocked();
  }

  @Override
  public synchronized long firstIndex() {
    return offset() + 1;
  }

  @Override
  public synchronized Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Replaces the whole contents with {@code snap}, as a follower does on receiving one.
   *
   * @throws IllegalArgumentException if it is older than the snapshot already held
   */
  public synchronized void applySnapshot(Snapshot snap) {
    SnapshotMetadata meta = snap.getMetadata();
    if (meta.getIndex() <= snapshot.getMetadata().getIndex()) {
      throw new IllegalArgumentException("requested snapshot is older than the existing one");
    }
    snapshot = snap;
    entries.clear();
    entries.add(Entry.newBuilder().setIndex(meta.getIndex()).setTerm(meta.getTerm()).build());
  }

  /**
   * Records a snapshot of the application state as of {@code index} (which must have been applied)
   * and returns it; {@code confState} is the configuration at that index. The log is left as is:
   * call {@link #compact} to drop what the snapshot covers.
   */
  public synchronized Snapshot createSnapshot(long index, ConfState confState, ByteString data) {
    if (index <= snapshot.getMetadata().getIndex()) {
      throw new IllegalArgumentException("requested snapshot is older than the existing one");
    }
    if (index > lastIndexLocked()) {
      throw new IllegalArgumentException(
          "snapshot " + index + " is beyond the last index " + lastIndexLocked());
    }
    snapshot =
        Snapshot.newBuilder()
            .setData(data)
            .setMetadata(
                SnapshotMetadata.newBuilder()
                    .setIndex(index)
                    .setTerm(entries.get((int) (index - offset())).getTerm())
                    .setConfState(confState))
            .build();
    return snapshot;
  }

  /**
   * Drops the entries before {@code compactIndex}; the entry at {@code compactIndex} becomes the
   * placeholder. The application must not compact past its snapshot, or a lagging follower cannot
   * be caught up.
   */
  public synchronized void compact(long compactIndex) {
    long offset = offset();
    if (compactIndex <= offset) {
      throw new CompactedException(compactIndex, offset + 1);
    }
    if (compactIndex > lastIndexLocked()) {
      throw new IllegalArgumentException(
          "compact " + compactIndex + " is beyond the last index " + lastIndexLocked());
    }
    int i = (int) (compactIndex - offset);
    Entry last = entries.get(i);
    entries.subList(0, i).clear();
    entries.set(0, Entry.newBuilder().setIndex(last.getIndex()).setTerm(last.getTerm()).build());
  }

  /**
   * Appends {@code newEntries}, whose indices must be contiguous and must not leave a gap after the
   * log. A stored entry at an index {@code newEntries} also covers is replaced, together with all
   * after it (the Raft rule: writing entry i discards entries >= i). Entries already compacted are
   * skipped.
   */
  public synchronized void append(List<Entry> newEntries) {
    if (newEntries.isEmpty()) {
      return;
    }
    long first = offset() + 1;
    long last = newEntries.get(0).getIndex() + newEntries.size() - 1;
    if (last < first) {
      return;
    }
    List<Entry> toAdd = newEntries;
    if (first > newEntries.get(0).getIndex()) {
      toAdd = newEntries.subList((int) (first - newEntries.get(0).getIndex()), newEntries.size());
    }
    long at = toAdd.get(0).getIndex() - offset();
    if (at > entries.size()) {
      throw new IllegalArgumentException(
          "missing log entry: last index "
              + lastIndexLocked()
              + ", appending at "
              + (at + offset()));
    }
    entries.subList((int) at, entries.size()).clear();
    entries.addAll(toAdd);
  }

  private long offset() {
    return entries.get(0).getIndex();
  }

  private long lastIndexLocked() {
    return offset() + entries.size() - 1;
  }

  /** A copy of the longest prefix of {@code ents} within {@code maxSize} bytes, at least one. */
  static List<Entry> limitSize(List<Entry> ents, long maxSize) {
    if (ents.isEmpty()) {
      return List.of();
    }
    long size = ents.get(0).getSerializedSize();
    int n = 1;
    while (n < ents.size()) {
      size += ents.get(n).getSerializedSize();
      if (size > maxSize) {
        break;
      }
      n++;
    }
    return List.copyOf(ents.subList(0, n));
  }
}
