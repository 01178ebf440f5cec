package io.ketch.raft;

import com.google.protobuf.ByteString;
import io.ketch.raft.pb.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's pending ReadIndex requests (thesis 6.4, the safe variant): each waits, keyed by its
 * request context, until a quorum has answered a heartbeat that carried its context, which proves
 * that this node was still the leader when the read index was recorded.
 */
final class ReadOnly {
  /** A request, the commit index when it arrived, and who has acknowledged leadership since. */
  static final class Pending {
    final Message request;
    final long index;
    final Map<Long, Boolean> acks = new HashMap<>();

    Pending(Message request, long index) {
      this.request = request;
      this.index = index;
    }
  }

  /** In arrival order: a quorum ack of a later request confirms every earlier one too. */
  private final LinkedHashMap<ByteString, Pending> pending = new LinkedHashMap<>();

  void add(long index, Message request) {
    pending.putIfAbsent(request.getContext(), new Pending(request, index));
  }

  /**
   * Records that {@code id} acknowledged the heartbeat carrying {@code context}; null if unknown.
   */
  Map<Long, Boolean> recvAck(long id, ByteString context) {
    Pending p = pending.get(context);
    if (p == null) {
      return null;
    }
    p.acks.put(id, true);
    return p.acks;
  }

  /** Removes and returns every request up to and including the one with {@code context}. */
  List<Pending> advance(ByteString context) {
    if (!pending.containsKey(context)) {
      return List.of();
    }
    List<Pending> done = new ArrayList<>();
    var it = pending.entrySet().iterator();
    while (it.hasNext()) {
      var e = it.next();
      done.add(e.getValue());
      it.remove();
      if (e.getKey().equals(context)) {
        break;
      }
    }
    return done;
  }

  /** The context of the newest request, sent with every heartbeat; empty when none is waiting. */
  ByteString lastPendingContext() {
    ByteString last = ByteString.EMPTY;
    for (ByteString c : pending.keySet()) {
      last = c;
    }
    return last;
  }

  void clear() {
    pending.clear();
  }
}
