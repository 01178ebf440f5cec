package io.ketch.raft;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Message;
import io.ketch.raft.pb.Snapshot;
import java.util.List;

/**
 * What the application must do next, in the order of the package documentation: persist {@code
 * entries}, {@code hardState} and {@code snapshot}; send {@code messages}; apply {@code snapshot}
 * and {@code committedEntries}; then call {@link RawNode#advance}.
 *
 * @param softState null if unchanged since the previous Ready
 * @param hardState null if unchanged since the previous Ready
 * @param readStates answered {@link RawNode#readIndex} requests
 * @param entries to append to stable storage (an entry at index i replaces any stored at >= i)
 * @param snapshot null if none; to persist and to apply
 * @param committedEntries to apply, in order
 * @param messages to send once the rest is persisted (but see the package doc on MSG_APP)
 * @param mustSync whether the write must be synced to disk before sending (new entries, or a
 *     changed term or vote)
 */
public record Ready(
    SoftState softState,
    HardState hardState,
    List<ReadState> readStates,
    List<Entry> entries,
    Snapshot snapshot,
    List<Entry> committedEntries,
    List<Message> messages,
    boolean mustSync) {}
