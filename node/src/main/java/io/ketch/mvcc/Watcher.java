package io.ketch.mvcc;

import com.google.protobuf.ByteString;
import io.ketch.pb.mvcc.Event;

/** One watch on a stream; guarded by {@link WatchableStore}'s lock. */
final class Watcher {
  final long id;
  final ByteString key;

  /** Empty: just {@code key}; {@code "\0"}: every key >= key; else [key, end). */
  final ByteString end;

  final boolean noPut;
  final boolean noDelete;
  final boolean prevKv;
  final WatchStream stream;

  /** The next revision this watcher must receive. */
  long minRevision;

  boolean synced;

  Watcher(
      long id,
      ByteString key,
      ByteString end,
      long minRevision,
      boolean noPut,
      boolean noDelete,
      boolean prevKv,
      WatchStream stream) {
    this.id = id;
    this.key = key;
    this.end = end;
    this.minRevision = minRevision;
    this.noPut = noPut;
    this.noDelete = noDelete;
    this.prevKv = prevKv;
    this.stream = stream;
  }

  boolean isRange() {
    return !end.isEmpty();
  }

  boolean contains(ByteString k) {
    if (!isRange()) {
      return key.equals(k);
    }
    if (KvStore.KEY_ORDER.compare(k, key) < 0) {
      return false;
    }
    return WatchableStore.isUnbounded(end) || KvStore.KEY_ORDER.compare(k, end) < 0;
  }

  boolean wants(Event event) {
    return event.getType() == Event.EventType.PUT ? !noPut : !noDelete;
  }
}
