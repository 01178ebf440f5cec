package io.ketch.mvcc;

import static io.ketch.mvcc.KvStoreTest.bs;
import static io.ketch.mvcc.KvStoreTest.delete;
import static io.ketch.mvcc.KvStoreTest.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchCreateRequest.FilterType;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.mvcc.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class WatchableStoreTest {
  private final KvStore kv = new KvStore();
  private final WatchableStore watchable = new WatchableStore(kv);

  private static WatchCreateRequest.Builder watchPrefix(String prefix) {
    return WatchCreateRequest.newBuilder()
        .setKey(bs(prefix))
        .setRangeEnd(
            bs(
                prefix.substring(0, prefix.length() - 1)
                    + (char) (prefix.charAt(prefix.length() - 1) + 1)));
  }

  private static List<WatchResponse> drain(WatchStream stream) {
    List<WatchResponse> out = new ArrayList<>();
    for (WatchResponse r = stream.poll(); r != null; r = stream.poll()) {
      out.add(r);
    }
    return out;
  }

  private void catchUp() {
    while (watchable.syncUnsynced()) {
      // rounds until nobody advances
    }
  }

  @Test
  void idsComeFromAPerStreamCounterAndBadRequestsAreRefused() {
    WatchStream stream = watchable.newWatchStream();
    assertThat(stream.watch(WatchCreateRequest.newBuilder().setKey(bs("a")).build())).isZero();
    assertThat(stream.watch(WatchCreateRequest.newBuilder().setKey(bs("a")).setWatchId(2).build()))
        .isEqualTo(2);
    assertThat(stream.watch(WatchCreateRequest.newBuilder().setKey(bs("a")).build())).isEqualTo(1);
    assertThat(stream.watch(WatchCreateRequest.newBuilder().setKey(bs("a")).build())).isEqualTo(3);
    assertThat(stream.watch(WatchCreateRequest.newBuilder().setKey(bs("a")).setWatchId(2).build()))
        .isEqualTo(-1);
    assertThat(
            stream.watch(
                WatchCreateRequest.newBuilder().setKey(bs("b")).setRangeEnd(bs("a")).build()))
        .isEqualTo(-1);
    assertThat(
            stream.watch(
                WatchCreateRequest.newBuilder().setKey(bs("a")).setStartRevision(-1).build()))
        .isEqualTo(-1);
    assertThat(
            watchable
                .newWatchStream()
                .watch(WatchCreateRequest.newBuilder().setKey(bs("a")).build()))
        .isZero();

    List<WatchResponse> out = drain(stream);
    assertThat(out)
        .extracting(WatchResponse::getWatchId)
        .containsExactly(0L, 2L, 1L, 3L, -1L, -1L, -1L);
    assertThat(out).allSatisfy(r -> assertThat(r.getCreated()).isTrue());
    assertThat(out.subList(4, 7))
        .extracting(WatchResponse::getCancelReason)
        .containsExactly(
            "mvcc: duplicate watch ID provided on the WatchStream",
            "mvcc: watcher range is empty",
            "mvcc: required revision has been compacted");
    assertThat(out.get(0).getHeader().getRevision()).isEqualTo(1);
  }

  @Test
  void aSyncedWatcherGetsEachTxnInOneResponse() {
    WatchStream stream = watchable.newWatchStream();
    long id = stream.watch(watchPrefix("p/").build());
    drain(stream);
    try (TxnWrite txn = kv.write()) {
      txn.put(bs("p/1"), bs("a"), 0);
      txn.put(bs("q"), bs("b"), 0);
      txn.put(bs("p/2"), bs("c"), 0);
    }
    delete(kv, "p/1");
    List<WatchResponse> out = drain(stream);
    assertThat(out).hasSize(2);
    assertThat(out.get(0).getWatchId()).isEqualTo(id);
    assertThat(out.get(0).getHeader().getRevision()).isEqualTo(2);
    assertThat(out.get(0).getEventsList())
        .extracting(e -> e.getKv().getKey().toStringUtf8())
        .containsExactly("p/1", "p/2");
    Event del = out.get(1).getEvents(0);
    assertThat(del.getType()).isEqualTo(Event.EventType.DELETE);
    assertThat(del.getKv().getModRevision()).isEqualTo(3);
    assertThat(del.getKv().getValue().isEmpty()).isTrue();
    assertThat(del.hasPrevKv()).isFalse();
  }

  @Test
  void filtersDropPutsOrDeletes() {
    WatchStream stream = watchable.newWatchStream();
    stream.watch(
        WatchCreateRequest.newBuilder().setKey(bs("k")).addFilters(FilterType.NOPUT).build());
    stream.watch(
        WatchCreateRequest.newBuilder().setKey(bs("k")).addFilters(FilterType.NODELETE).build());
    drain(stream);
    put(kv, "k", "1");
    delete(kv, "k");
    List<WatchResponse> out = drain(stream);
    assertThat(out).hasSize(2);
    assertThat(out.get(0).getWatchId()).isEqualTo(1);
    assertThat(out.get(0).getEvents(0).getType()).isEqualTo(Event.EventType.PUT);
    assertThat(out.get(1).getWatchId()).isZero();
    assertThat(out.get(1).getEvents(0).getType()).isEqualTo(Event.EventType.DELETE);
  }

  @Test
  void prevKvIsTheValueBeforeBothLiveAndFromHistory() {
    WatchStream live = watchable.newWatchStream();
    live.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).setPrevKv(true).build());
    put(kv, "k", "1");
    put(kv, "k", "2");
    delete(kv, "k");
    WatchStream late = watchable.newWatchStream();
    late.watch(
        WatchCreateRequest.newBuilder()
            .setKey(bs("k"))
            .setPrevKv(true)
            .setStartRevision(2)
            .build());
    catchUp();

    List<Event> liveEvents = drain(live).stream().flatMap(r -> r.getEventsList().stream()).toList();
    List<Event> lateEvents = drain(late).stream().flatMap(r -> r.getEventsList().stream()).toList();
    assertThat(lateEvents).isEqualTo(liveEvents);
    assertThat(liveEvents).hasSize(3);
    assertThat(liveEvents.get(0).hasPrevKv()).isFalse();
    assertThat(liveEvents.get(1).getPrevKv().getValue().toStringUtf8()).isEqualTo("1");
    assertThat(liveEvents.get(2).getPrevKv().getValue().toStringUtf8()).isEqualTo("2");
  }

  @Test
  void catchUpBatchesHoldAtMost1000RevisionsAndNeverSplitOne() {
    int txns = 2500;
    for (int i = 0; i < txns; i++) {
      try (TxnWrite txn = kv.write()) {
        txn.put(bs("w/" + (i % 7)), bs("v" + i), 0);
        txn.put(bs("other"), bs("x"), 0);
        txn.put(bs("w/x" + (i % 3)), bs("v" + i), 0);
      }
    }
    WatchStream stream = watchable.newWatchStream(10_000);
    stream.watch(watchPrefix("w/").setStartRevision(2).build());
    drain(stream);
    catchUp();
    List<WatchResponse> out = drain(stream);
    assertThat(out).hasSize(3);
    Map<Long, Integer> perRevision = new HashMap<>();
    long last = 0;
    for (WatchResponse r : out) {
      TreeSet<Long> revs = new TreeSet<>();
      for (Event e : r.getEventsList()) {
        long rev = e.getKv().getModRevision();
        assertThat(rev).isGreaterThanOrEqualTo(last);
        last = rev;
        revs.add(rev);
        assertThat(perRevision.merge(rev, 1, Integer::sum)).isLessThanOrEqualTo(2);
      }
      assertThat(revs.size()).isLessThanOrEqualTo(1000);
      // a revision appears in one response only
      for (WatchResponse other : out) {
        if (other != r) {
          assertThat(other.getEventsList())
              .noneMatch(e -> revs.contains(e.getKv().getModRevision()));
        }
      }
    }
    assertThat(perRevision).hasSize(txns).allSatisfy((rev, n) -> assertThat(n).isEqualTo(2));
    put(kv, "w/new", "live");
    assertThat(drain(stream))
        .singleElement()
        .satisfies(r -> assertThat(r.getEvents(0).getKv().getModRevision()).isEqualTo(txns + 2));
  }

  @Test
  void aCompactedStartRevisionCancelsWithTheCompactRevision() {
    for (int i = 0; i < 10; i++) {
      put(kv, "k", "v" + i);
    }
    kv.compact(6);
    WatchStream stream = watchable.newWatchStream();
    long tooOld =
        stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).setStartRevision(5).build());
    long atCompaction =
        stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).setStartRevision(6).build());
    catchUp();
    List<WatchResponse> out = drain(stream);
    assertThat(out.get(0).getCreated()).isTrue();
    assertThat(out.get(1).getCreated()).isTrue();
    WatchResponse cancelled = out.stream().filter(r -> r.getCanceled()).findFirst().orElseThrow();
    assertThat(cancelled.getWatchId()).isEqualTo(tooOld);
    assertThat(cancelled.getCompactRevision()).isEqualTo(6);
    WatchResponse events =
        out.stream().filter(r -> r.getEventsCount() > 0).findFirst().orElseThrow();
    assertThat(events.getWatchId()).isEqualTo(atCompaction);
    assertThat(events.getEvents(0).getKv().getModRevision()).isEqualTo(6);
    assertThat(events.getEventsCount()).isEqualTo(6); // revisions 6..11
  }

  @Test
  void aFutureStartRevisionWaitsUntilReached() {
    WatchStream stream = watchable.newWatchStream();
    stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).setStartRevision(4).build());
    drain(stream);
    put(kv, "k", "2");
    put(kv, "k", "3");
    assertThat(drain(stream)).isEmpty();
    put(kv, "k", "4");
    assertThat(drain(stream))
        .singleElement()
        .satisfies(r -> assertThat(r.getHeader().getRevision()).isEqualTo(4));
  }

  @Test
  void aStreamThatNeverDrainsDoesNotBlockWritesAndLaterGetsEverythingInOrder() {
    WatchStream slow = watchable.newWatchStream(2);
    WatchStream fast = watchable.newWatchStream(2);
    slow.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).build());
    fast.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).build());
    List<Long> fastRevs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      put(kv, "k", "v" + i);
      drain(fast)
          .forEach(r -> r.getEventsList().forEach(e -> fastRevs.add(e.getKv().getModRevision())));
      catchUp(); // the slow stream is full: its victim makes no progress
    }
    assertThat(fastRevs).hasSize(50);

    List<Long> slowRevs = new ArrayList<>();
    for (int round = 0; round < 100 && slowRevs.size() < 50; round++) {
      drain(slow)
          .forEach(r -> r.getEventsList().forEach(e -> slowRevs.add(e.getKv().getModRevision())));
      catchUp();
    }
    assertThat(slowRevs).isEqualTo(fastRevs);
    put(kv, "k", "live again");
    assertThat(drain(slow))
        .singleElement()
        .satisfies(r -> assertThat(r.getHeader().getRevision()).isEqualTo(52));
  }

  @Test
  void progressIsAnsweredOnlyWhenEveryWatcherIsSynced() {
    put(kv, "k", "1");
    put(kv, "k", "2");
    WatchStream stream = watchable.newWatchStream();
    stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).build());
    stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).setStartRevision(2).build());
    drain(stream);
    stream.requestProgress();
    assertThat(stream.requestProgress(0)).isTrue();
    assertThat(stream.requestProgress(1)).isFalse();
    assertThat(drain(stream)).singleElement().satisfies(r -> assertThat(r.getWatchId()).isZero());
    catchUp();
    drain(stream);
    stream.requestProgress();
    assertThat(drain(stream))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getWatchId()).isEqualTo(-1);
              assertThat(r.getHeader().getRevision()).isEqualTo(3);
              assertThat(r.getEventsCount()).isZero();
            });
  }

  @Test
  void cancelStopsEventsAndUnknownIdsAreIgnored() {
    WatchStream stream = watchable.newWatchStream();
    long id = stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).build());
    assertThat(stream.cancel(id)).isTrue();
    assertThat(stream.cancel(id)).isFalse();
    put(kv, "k", "1");
    assertThat(drain(stream))
        .extracting(WatchResponse::getCreated, WatchResponse::getCanceled)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(true, false),
            org.assertj.core.groups.Tuple.tuple(false, true));
    stream.watch(
        WatchCreateRequest.newBuilder().setKey(ByteString.EMPTY).setRangeEnd(bs("\0")).build());
    stream.close();
    put(kv, "k", "2");
    assertThat(drain(stream)).hasSize(1); // only the created answer
  }

  @Test
  void afterASnapshotInstallWatchersCatchUpFromTheNewHistory() throws Exception {
    KvStore leader = new KvStore();
    put(leader, "k", "1");
    put(leader, "k", "2");
    put(leader, "k", "3");
    java.io.ByteArrayOutputStream snapshot = new java.io.ByteArrayOutputStream();
    leader.writeSnapshot(snapshot);

    WatchStream stream = watchable.newWatchStream();
    stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).build());
    drain(stream);
    kv.restoreFrom(ByteString.copyFrom(snapshot.toByteArray()));
    assertThat(kv.hash()).isEqualTo(leader.hash());
    catchUp();
    assertThat(drain(stream).stream().flatMap(r -> r.getEventsList().stream()))
        .extracting(e -> e.getKv().getValue().toStringUtf8())
        .containsExactly("1", "2", "3");
    put(kv, "k", "4");
    assertThat(drain(stream)).hasSize(1);
  }

  @Test
  void theDispatcherThreadCatchesUpOnItsOwn() {
    for (int i = 0; i < 20; i++) {
      put(kv, "k", "v" + i);
    }
    watchable.start();
    try {
      WatchStream stream = watchable.newWatchStream();
      stream.watch(WatchCreateRequest.newBuilder().setKey(bs("k")).setStartRevision(2).build());
      List<Event> events = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                drain(stream).forEach(r -> events.addAll(r.getEventsList()));
                return events.size() == 20;
              });
    } finally {
      watchable.close();
    }
  }
}
