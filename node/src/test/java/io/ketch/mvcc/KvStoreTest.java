package io.ketch.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.Allocations;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeRequest.SortOrder;
import io.ketch.pb.etcdserver.RangeRequest.SortTarget;
import io.ketch.pb.mvcc.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KvStoreTest {

  static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static void put(KvStore store, String key, String value) {
    try (TxnWrite txn = store.write()) {
      txn.put(bs(key), bs(value), 0);
    }
  }

  static void delete(KvStore store, String key) {
    try (TxnWrite txn = store.write()) {
      txn.deleteRange(bs(key), ByteString.EMPTY);
    }
  }

  static RangeRequest.Builder all() {
    return RangeRequest.newBuilder().setKey(bs("\0")).setRangeEnd(bs("\0"));
  }

  /**
   * At revision 7: a (create 2, mod 5, version 2, "w"), b (3, 3, 1, "y"), d (6, 6, 1, "v"); c was
   * put at 4 and deleted at 7.
   */
  static KvStore sample() {
    KvStore store = new KvStore();
    put(store, "a", "z");
    put(store, "b", "y");
    put(store, "c", "x");
    put(store, "a", "w");
    put(store, "d", "v");
    delete(store, "c");
    assertThat(store.currentRevision()).isEqualTo(7);
    return store;
  }

  static Stream<Arguments> rangeCases() {
    return Stream.of(
        c("single key", r -> r.setKey(bs("a")), "a", 1, false),
        c("deleted key", r -> r.setKey(bs("c")), "", 0, false),
        c("[a, c)", r -> r.setKey(bs("a")).setRangeEnd(bs("c")), "a b", 2, false),
        c("prefix a", r -> r.setKey(bs("a")).setRangeEnd(bs("b")), "a", 1, false),
        c("from b on", r -> r.setKey(bs("b")).setRangeEnd(bs("\0")), "b d", 2, false),
        c("everything", r -> all(), "a b d", 3, false),
        c("key >= end", r -> r.setKey(bs("c")).setRangeEnd(bs("a")), "", 0, false),
        c("limit cuts", r -> all().setLimit(2), "a b", 3, true),
        c("limit equal", r -> all().setLimit(3), "a b d", 3, false),
        c("past revision", r -> all().setRevision(4), "a b c", 3, false),
        c("key descend", r -> all().setSortOrder(SortOrder.DESCEND), "d b a", 3, false),
        c("key ascend", r -> all().setSortOrder(SortOrder.ASCEND), "a b d", 3, false),
        c("mod, order NONE = ascend", r -> all().setSortTarget(SortTarget.MOD), "b a d", 3, false),
        c(
            "value ascend",
            r -> all().setSortTarget(SortTarget.VALUE).setSortOrder(SortOrder.ASCEND),
            "d a b",
            3,
            false),
        c(
            "create descend, limit 2",
            r -> all().setSortTarget(SortTarget.CREATE).setSortOrder(SortOrder.DESCEND).setLimit(2),
            "d b",
            3,
            true),
        c(
            "version, order NONE, limit 1: sorts only the limit+1 fetched (etcd)",
            r -> all().setSortTarget(SortTarget.VERSION).setLimit(1),
            "b",
            3,
            true),
        c("min mod", r -> all().setMinModRevision(5), "a d", 3, false),
        c("max mod", r -> all().setMaxModRevision(4), "b", 3, false),
        c("min create", r -> all().setMinCreateRevision(3), "b d", 3, false),
        c("max create", r -> all().setMaxCreateRevision(2), "a", 3, false),
        c("filter then limit", r -> all().setMinModRevision(5).setLimit(1), "a", 3, true),
        c("count only", r -> all().setCountOnly(true), "", 3, false),
        c("count only with limit", r -> all().setCountOnly(true).setLimit(1), "", 3, false));
  }

  private static Arguments c(
      String name, UnaryOperator<RangeRequest.Builder> req, String keys, long count, boolean more) {
    return Arguments.of(name, req.apply(RangeRequest.newBuilder()).build(), keys, count, more);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rangeCases")
  void rangeOptions(String name, RangeRequest req, String keys, long count, boolean more) {
    RangeResult result = sample().range(req);
    assertThat(result.kvs().stream().map(kv -> kv.getKey().toStringUtf8()))
        .containsExactlyElementsOf(keys.isEmpty() ? List.of() : List.of(keys.split(" ")));
    assertThat(result.count()).isEqualTo(count);
    assertThat(result.more()).isEqualTo(more);
    assertThat(result.currentRevision()).isEqualTo(7);
  }

  @Test
  void rangeReturnsFullKeyValuesOrKeysOnly() {
    KvStore store = sample();
    KeyValue a = store.range(RangeRequest.newBuilder().setKey(bs("a")).build()).kvs().get(0);
    assertThat(a)
        .isEqualTo(
            KeyValue.newBuilder()
                .setKey(bs("a"))
                .setValue(bs("w"))
                .setCreateRevision(2)
                .setModRevision(5)
                .setVersion(2)
                .build());
    assertThat(store.range(all().setKeysOnly(true).build()).kvs())
        .allSatisfy(kv -> assertThat(kv.getValue().isEmpty()).isTrue())
        .hasSize(3);
    assertThat(store.range(all().setRevision(4).build()).kvs().get(0).getValue().toStringUtf8())
        .isEqualTo("z");
  }

  @Test
  void rangeRevisionBounds() {
    KvStore store = sample();
    assertThatThrownBy(() -> store.range(all().setRevision(8).build()))
        .isInstanceOf(FutureRevisionException.class)
        .hasMessage("mvcc: required revision is a future revision");
    store.compact(4);
    assertThatThrownBy(() -> store.range(all().setRevision(3).build()))
        .isInstanceOf(CompactedException.class)
        .hasMessage("mvcc: required revision has been compacted");
    assertThat(store.range(all().setRevision(4).build()).count()).isEqualTo(3);
    assertThat(store.range(all().setRevision(-1).build()).count()).isEqualTo(3);
  }

  @Test
  void aTxnGetsOneRevisionAndSeesItsOwnWrites() {
    KvStore store = new KvStore();
    assertThat(store.currentRevision()).isEqualTo(1);
    try (TxnWrite txn = store.write()) {
      assertThat(txn.revision()).isEqualTo(2);
      txn.put(bs("x"), bs("1"), 7);
      txn.put(bs("y"), bs("2"), 0);
      assertThat(txn.range(RangeRequest.newBuilder().setKey(bs("x")).build()).kvs()).hasSize(1);
      assertThat(store.currentRevision()).isEqualTo(1);
    }
    assertThat(store.currentRevision()).isEqualTo(2);
    assertThat(store.range(all().build()).kvs())
        .extracting(KeyValue::getModRevision, KeyValue::getCreateRevision, KeyValue::getLease)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2L, 2L, 7L),
            org.assertj.core.groups.Tuple.tuple(2L, 2L, 0L));
    assertThat(store.history.revisions()).containsExactly(new Revision(2, 0), new Revision(2, 1));
  }

  @Test
  void aTxnThatWritesNothingKeepsTheRevision() {
    KvStore store = sample();
    try (TxnWrite txn = store.write()) {
      assertThat(txn.deleteRange(bs("nothing"), ByteString.EMPTY).deleted()).isZero();
      txn.range(all().build());
    }
    assertThat(store.currentRevision()).isEqualTo(7);
  }

  @Test
  void putsBumpVersionAndModKeepCreateAndRestartAfterDelete() {
    KvStore store = new KvStore();
    put(store, "k", "1");
    put(store, "k", "1");
    KeyValue kv = store.range(RangeRequest.newBuilder().setKey(bs("k")).build()).kvs().get(0);
    assertThat(List.of(kv.getVersion(), kv.getCreateRevision(), kv.getModRevision()))
        .containsExactly(2L, 2L, 3L);
    DeleteResult deleted;
    try (TxnWrite txn = store.write()) {
      deleted = txn.deleteRange(bs("k"), ByteString.EMPTY);
    }
    assertThat(deleted.deleted()).isEqualTo(1);
    assertThat(deleted.prevKvs()).containsExactly(kv);
    put(store, "k", "2");
    kv = store.range(RangeRequest.newBuilder().setKey(bs("k")).build()).kvs().get(0);
    assertThat(List.of(kv.getVersion(), kv.getCreateRevision(), kv.getModRevision()))
        .containsExactly(1L, 5L, 5L);
  }

  @Test
  void deleteRangeTakesEveryRangeForm() {
    KvStore store = sample();
    DeleteResult result;
    try (TxnWrite txn = store.write()) {
      result = txn.deleteRange(bs("a"), bs("\0"));
    }
    assertThat(result.deleted()).isEqualTo(3);
    assertThat(result.prevKvs())
        .extracting(kv -> kv.getKey().toStringUtf8())
        .containsExactly("a", "b", "d");
    assertThat(store.currentRevision()).isEqualTo(8);
    assertThat(store.history.revisions())
        .contains(new Revision(8, 0), new Revision(8, 1), new Revision(8, 2));
    assertThat(store.keyCount()).isZero();
  }

  @Test
  void concurrentReadersNeverSeeHalfATxn() throws Exception {
    KvStore store = new KvStore();
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 20_000; i++) {
                try (TxnWrite txn = store.write()) {
                  txn.put(bs("a"), bs("" + i), 0);
                  txn.put(bs("b"), bs("" + i), 0);
                }
              }
            });
    writer.start();
    long reads = 0;
    while (writer.isAlive() || reads == 0) {
      List<KeyValue> kvs = store.range(all().build()).kvs();
      if (!kvs.isEmpty()) {
        assertThat(kvs).hasSize(2);
        assertThat(kvs.get(0).getValue()).isEqualTo(kvs.get(1).getValue());
        assertThat(kvs.get(0).getModRevision()).isEqualTo(kvs.get(1).getModRevision());
      }
      reads++;
    }
    writer.join();
    assertThat(store.currentRevision()).isEqualTo(20_001);
  }

  @Test
  void compactionFreesSupersededRevisionsAndTombstones() {
    KvStore store = new KvStore();
    for (int i = 0; i < 1000; i++) {
      put(store, "hot", "v" + i);
    }
    put(store, "gone", "x");
    delete(store, "gone");
    long before = store.totalBytes();
    assertThat(store.history.size()).isEqualTo(1002);

    store.compact(store.currentRevision());
    assertThat(store.history.size()).isEqualTo(1);
    assertThat(store.index.keySet()).containsExactly(bs("hot"));
    assertThat(store.totalBytes()).isLessThan(before / 100);
    assertThat(store.inUseBytes()).isEqualTo(store.totalBytes());
    assertThat(store.keyCount()).isEqualTo(1);
    assertThat(store.compactRevision()).isEqualTo(1003);
    assertThat(
            store
                .range(RangeRequest.newBuilder().setKey(bs("hot")).build())
                .kvs()
                .get(0)
                .getVersion())
        .isEqualTo(1000);

    assertThatThrownBy(() -> store.compact(1003)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> store.compact(1004)).isInstanceOf(FutureRevisionException.class);
  }

  @Test
  void repeatedCompactionsAnswerEveryReadLikeAnUncompactedTwin() {
    long seed = Long.getLong("ketch.mvcc.seed", 42);
    java.util.Random random = new java.util.Random(seed);
    KvStore compacted = new KvStore();
    KvStore twin = new KvStore();
    for (int op = 0; op < 1500; op++) {
      for (KvStore store : List.of(compacted, twin)) {
        java.util.Random same = new java.util.Random(seed * 1_000_003L + op); // same ops for both
        try (TxnWrite txn = store.write()) {
          for (int i = 0, n = 1 + same.nextInt(3); i < n; i++) {
            String key = "k" + same.nextInt(12);
            if (same.nextInt(4) == 0) {
              txn.deleteRange(bs(key), same.nextBoolean() ? ByteString.EMPTY : bs(key + "5"));
            } else {
              txn.put(bs(key), bs("v" + op), 0);
            }
          }
        }
      }
      if (op % 100 == 99) {
        long at =
            compacted.compactRevision()
                + 1
                + random.nextInt((int) (compacted.currentRevision() - compacted.compactRevision()));
        compacted.compact(at);
        for (long rev = at; rev <= compacted.currentRevision(); rev++) {
          RangeRequest req = all().setRevision(rev).build();
          assertThat(compacted.range(req).kvs()).as("rev %d", rev).isEqualTo(twin.range(req).kvs());
        }
      }
    }
    assertThat(compacted.keyCount()).isEqualTo(twin.keyCount());
    assertThat(compacted.inUseBytes()).isEqualTo(twin.inUseBytes());
    assertThat(compacted.history.size()).isLessThan(twin.history.size());
  }

  @Test
  void compactionKeepsWhatReadsAtItNeed() {
    KvStore store = sample();
    store.compact(6);
    assertThat(store.range(all().setRevision(6).build()).kvs())
        .extracting(kv -> kv.getKey().toStringUtf8())
        .containsExactly("a", "b", "c", "d");
    assertThat(store.range(all().build()).kvs()).hasSize(3);
    store.compact(7);
    assertThat(store.index).doesNotContainKey(bs("c"));
  }

  @Test
  void equalHistoriesHashEqualAndDifferentOnesDoNot() {
    KvStore one = sample();
    KvStore two = sample();
    assertThat(one.hash()).isEqualTo(two.hash());
    assertThat(one.hashKv(0)).isEqualTo(two.hashKv(0));
    KvHash at5 = one.hashKv(5);
    assertThat(at5.hashRevision()).isEqualTo(5);

    put(two, "a", "different");
    assertThat(two.hashKv(5)).isEqualTo(at5); // later writes do not change the hash of the past
    assertThat(two.hashKv(0).hash()).isNotEqualTo(one.hashKv(0).hash());
    put(one, "a", "other");
    assertThat(two.hashKv(8).hash()).isNotEqualTo(one.hashKv(8).hash());

    one.compact(4);
    two.compact(4);
    assertThat(one.hashKv(7)).isEqualTo(two.hashKv(7));
    assertThat(one.hashKv(7).compactRevision()).isEqualTo(4);
    assertThatThrownBy(() -> one.hashKv(3)).isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> one.hashKv(9)).isInstanceOf(FutureRevisionException.class);
  }

  /**
   * Hashes and snapshot bytes of a fixed history, computed before the store's layout changed:
   * members of different versions compare hashes, and snapshots written before must restore.
   */
  @Test
  void hashesAndSnapshotBytesOfAFixedHistoryNeverChange() throws IOException {
    KvStore store = pinnedHistory();
    assertThat(store.hash()).isEqualTo(580496051);
    assertThat(store.hashKv(0).hash()).isEqualTo(754409480);
    assertThat(store.hashKv(7).hash()).isEqualTo(1722059245);
    byte[] pinned = java.util.Base64.getDecoder().decode(PINNED_SNAPSHOT);
    assertThat(snapshot(store)).isEqualTo(pinned);
    assertThat(store.snapshotView().size()).isEqualTo(pinned.length);

    KvStore restored = KvStore.restore(ByteString.copyFrom(pinned));
    assertThat(restored.hash()).isEqualTo(580496051);
    assertThat(snapshot(restored)).isEqualTo(pinned);
  }

  private static final String PINNED_SNAPSHOT =
      "S01WQwEJBQoDAAwKAWIQAxgDIAEqAXkEAAwKAWMQBBgEIAEqAXgFAAwKAWEQAhgFIAIqAXcGAAwKAWQQBhgGIAEqAXYHAAUK"
          + "AWMYBwgADgoBZRAIGAggASoBMTAFCAEOCgFlEAgYCCACKgEyMAUIAikKAWYQCBgIIAEqHgAAAAAAAAAAAAAAAAAAAAAA"
          + "AAAAAAAAAAAAAAAAAAgDBQoBYhgICQAQCgFjEAkYCSABKgVhZ2Fpbsqr0FI=";

  /** sample(), a txn with a lease, a repeated key and a delete, then compaction at 5. */
  private static KvStore pinnedHistory() {
    KvStore store = sample();
    try (TxnWrite txn = store.write()) {
      txn.put(bs("e"), bs("1"), 5);
      txn.put(bs("e"), bs("2"), 5);
      txn.put(bs("f"), ByteString.copyFrom(new byte[30]), 0);
      txn.deleteRange(bs("b"), ByteString.EMPTY);
    }
    put(store, "c", "again");
    store.compact(5);
    return store;
  }

  @Test
  void snapshotRoundTrips() throws IOException {
    KvStore store = sample();
    try (TxnWrite txn = store.write()) {
      txn.put(bs("e"), bs("1"), 5);
      txn.put(bs("f"), ByteString.copyFrom(new byte[300]), 0);
      txn.deleteRange(bs("b"), ByteString.EMPTY);
    }
    store.compact(5);
    byte[] bytes = snapshot(store);
    assertThat(store.snapshotView().size()).isEqualTo(bytes.length); // 300 bytes: 2-byte varints

    KvStore copy = KvStore.restore(ByteString.copyFrom(bytes));
    assertThat(copy.currentRevision()).isEqualTo(8);
    assertThat(copy.compactRevision()).isEqualTo(5);
    assertThat(copy.hash()).isEqualTo(store.hash());
    assertThat(copy.keyCount()).isEqualTo(store.keyCount());
    assertThat(copy.inUseBytes()).isEqualTo(store.inUseBytes());
    assertThat(copy.range(all().setRevision(6).build()))
        .isEqualTo(store.range(all().setRevision(6).build()));
    assertThat(snapshot(copy)).isEqualTo(bytes);

    put(copy, "a", "after");
    put(store, "a", "after");
    assertThat(copy.hash()).isEqualTo(store.hash());

    // A snapshot received from the leader arrives in pieces: a rope, read the same way.
    ByteString pieces = ByteString.EMPTY;
    for (int i = 0; i < bytes.length; i += 7) {
      pieces = pieces.concat(ByteString.copyFrom(bytes, i, Math.min(7, bytes.length - i)));
    }
    assertThat(snapshot(KvStore.restore(pieces))).isEqualTo(bytes);
  }

  @Test
  void aLargeStoreIsRestoredWithOneCopyOfItsRevisions() throws IOException {
    KvStore store = new KvStore();
    ByteString value = ByteString.copyFrom(new byte[32 << 10]);
    for (int i = 0; i < 1024; i++) {
      try (TxnWrite txn = store.write()) {
        txn.put(bs("k" + i), value, 0);
      }
    }
    ByteString bytes = ByteString.copyFrom(snapshot(store));
    long before = Allocations.onThisThread();
    KvStore restored = KvStore.restore(bytes);
    long allocated = Allocations.onThisThread() - before;
    assertThat(bytes.size()).isGreaterThan(32 << 20);
    // The revisions' own arrays, and the index: not a copy of the whole snapshot besides.
    assertThat(allocated).isBetween((long) bytes.size(), bytes.size() + (4L << 20));
    assertThat(restored.hash()).isEqualTo(store.hash());
  }

  @Test
  void aDamagedSnapshotIsRefused() throws IOException {
    byte[] bytes = snapshot(sample());
    bytes[bytes.length / 2] ^= 1;
    assertThatThrownBy(() -> KvStore.restore(ByteString.copyFrom(bytes)))
        .isInstanceOf(IOException.class);
    byte[] wrongVersion = snapshot(sample());
    wrongVersion[4] = 9;
    assertThatThrownBy(() -> KvStore.restore(ByteString.copyFrom(wrongVersion)))
        .hasMessageContaining("version");

    KvStore installed = sample();
    int hash = installed.hash();
    assertThatThrownBy(() -> installed.restoreFrom(ByteString.copyFrom(bytes)))
        .hasMessage("mvcc snapshot checksum mismatch");
    assertThat(installed.hash()).isEqualTo(hash);
  }

  private static byte[] snapshot(KvStore store) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    store.writeSnapshot(out);
    return out.toByteArray();
  }
}
