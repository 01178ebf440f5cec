package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.mvcc.Event;
import io.ketch.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One write txn on a {@link KvStore}, used by the apply thread only. Every change gets the same
 * main revision (current + 1) and its own sub-revision; a txn that changes nothing leaves the
 * revision alone. Reads inside the txn see its earlier writes. Holds the store's write lock until
 * {@link #end()}.
 */
public final class TxnWrite implements AutoCloseable {
  private final KvStore store;
  private final long beginRevision;
  private final List<Event> events = new ArrayList<>();
  private final List<KeyValue> prevKvs = new ArrayList<>();
  private boolean ended;

  TxnWrite(KvStore store, long beginRevision) {
    this.store = store;
    this.beginRevision = beginRevision;
  }

  /** The revision this txn's changes get. */
  public long revision() {
    return beginRevision + 1;
  }

  /** True once something was written; then reads at "latest" see this txn's revision. */
  public boolean changed() {
    return !events.isEmpty();
  }

  /**
   * Puts key = value with the lease (0: none). Bumps version and mod_revision; keeps
   * create_revision, or starts a new life (version 1) when the key is absent. Returns the value
   * just before (including this txn's earlier writes), or null.
   */
  public KeyValue put(ByteString key, ByteString value, long lease) {
    checkOpen();
    KeyValue prev = live(key, readRevision());
    long rev = revision();
    KeyValue kv =
        KeyValue.newBuilder()
            .setKey(key)
            .setValue(value)
            .setLease(lease)
            .setCreateRevision(prev == null ? rev : prev.getCreateRevision())
            .setModRevision(rev)
            .setVersion(prev == null ? 1 : prev.getVersion() + 1)
            .build();
    store.applyPut(rev, events.size(), key, kv.toByteArray());
    record(Event.EventType.PUT, kv, prev);
    return prev;
  }

  /** Deletes the live keys in etcd's range form [key, end); returns how many and their values. */
  public DeleteResult deleteRange(ByteString key, ByteString end) {
    checkOpen();
    long at = readRevision();
    List<KeyIndex> live = new ArrayList<>();
    List<KeyValue> victims = new ArrayList<>();
    for (KeyIndex ki : store.select(key, end)) {
      KeyValue kv = KvStore.parseOrNull(ki.get(at));
      if (kv != null) {
        live.add(ki);
        victims.add(kv);
      }
    }
    for (int i = 0; i < live.size(); i++) {
      KeyIndex ki = live.get(i);
      KeyValue prev = victims.get(i);
      KeyValue tombstone =
          KeyValue.newBuilder().setKey(ki.key()).setModRevision(revision()).build();
      store.applyDelete(revision(), events.size(), ki.key(), tombstone.toByteArray());
      record(Event.EventType.DELETE, tombstone, prev);
    }
    return new DeleteResult(victims.size(), List.copyOf(victims));
  }

  /** A range as {@link KvStore#range}, where "latest" includes this txn's writes. */
  public RangeResult range(RangeRequest req) {
    checkOpen();
    return store.rangeLocked(req, readRevision());
  }

  /** Commits: publishes the new revision (if anything changed), unlocks, notifies watchers. */
  public void end() {
    checkOpen();
    ended = true;
    if (events.isEmpty()) {
      store.abandon();
    } else {
      store.commit(revision(), List.copyOf(events), prevKvsView());
    }
  }

  @Override
  public void close() {
    if (!ended) {
      end();
    }
  }

  private List<KeyValue> prevKvsView() {
    return Collections.unmodifiableList(prevKvs);
  }

  private long readRevision() {
    return events.isEmpty() ? beginRevision : revision();
  }

  private KeyValue live(ByteString key, long at) {
    KeyIndex ki = store.index.get(key);
    return ki == null ? null : KvStore.parseOrNull(ki.get(at));
  }

  /** Watchers get prev_kv as of the revision before this txn (etcd reads it at mod_revision-1). */
  private void record(Event.EventType type, KeyValue kv, KeyValue prevInTxn) {
    KeyValue prev =
        prevInTxn != null && prevInTxn.getModRevision() == revision()
            ? live(kv.getKey(), beginRevision)
            : prevInTxn;
    events.add(Event.newBuilder().setType(type).setKv(kv).build());
    prevKvs.add(prev);
  }

  private void checkOpen() {
    if (ended) {
      throw new IllegalStateException("txn already ended");
    }
  }
}
