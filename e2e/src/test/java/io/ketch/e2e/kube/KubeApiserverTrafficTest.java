package io.ketch.e2e.kube;

import static io.ketch.e2e.harness.Jetcd.bytes;
import static io.ketch.e2e.harness.Jetcd.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Jetcd;
import io.ketch.e2e.harness.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The requests kube-apiserver's etcd3 storage sends (k8s.io/apiserver pkg/storage/etcd3), through
 * jetcd: optimistic create/update/delete transactions, paged lists pinned to one revision, a prefix
 * watch from rv+1 with prev_kv and progress requests, and the compaction loop on compact_rev_key.
 */
class KubeApiserverTrafficTest {

  private static final String PODS = "/registry/pods/default/";
  private static final String CONFIGMAPS = "/registry/configmaps/default/";
  private static final ByteSequence COMPACT_REV_KEY = bytes("compact_rev_key");
  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @EachTarget
  void optimisticCreateUpdateDelete(Member member) throws Exception {
    try (Client client = Jetcd.client(member)) {
      KV kv = client.getKVClient();
      ByteSequence pod = bytes(PODS + "web-0");

      TxnResponse created = create(kv, pod, "v1");
      assertThat(created.isSucceeded()).isTrue();
      long rv = created.getHeader().getRevision();
      assertThat(rv).isEqualTo(2);
      assertThat(created.getPutResponses()).hasSize(1);
      // a second create of the same key fails the compare and runs nothing
      TxnResponse again = create(kv, pod, "other");
      assertThat(again.isSucceeded()).isFalse();
      assertThat(again.getPutResponses()).isEmpty();
      assertThat(again.getHeader().getRevision()).isEqualTo(rv);

      TxnResponse updated = update(kv, pod, rv, "v2");
      assertThat(updated.isSucceeded()).isTrue();
      long rv2 = updated.getHeader().getRevision();
      assertThat(rv2).isEqualTo(rv + 1);

      // a stale resourceVersion: the Else branch returns the current object for the retry
      TxnResponse conflict = update(kv, pod, rv, "v3");
      assertThat(conflict.isSucceeded()).isFalse();
      KeyValue current = conflict.getGetResponses().get(0).getKvs().get(0);
      assertThat(text(current.getValue())).isEqualTo("v2");
      assertThat(current.getModRevision()).isEqualTo(rv2);
      assertThat(current.getCreateRevision()).isEqualTo(rv);
      assertThat(current.getVersion()).isEqualTo(2);

      TxnResponse staleDelete = delete(kv, pod, rv);
      assertThat(staleDelete.isSucceeded()).isFalse();
      assertThat(staleDelete.getGetResponses().get(0).getKvs().get(0).getModRevision())
          .isEqualTo(rv2);

      TxnResponse deleted = delete(kv, pod, rv2);
      assertThat(deleted.isSucceeded()).isTrue();
      assertThat(deleted.getDeleteResponses().get(0).getDeleted()).isEqualTo(1);
      assertThat(deleted.getHeader().getRevision()).isEqualTo(rv2 + 1);
      assertThat(kv.get(pod).get().getKvs()).isEmpty();
      // update of a deleted object: mod_revision is 0 now, the Else Get returns nothing
      TxnResponse gone = update(kv, pod, rv2, "v4");
      assertThat(gone.isSucceeded()).isFalse();
      assertThat(gone.getGetResponses().get(0).getKvs()).isEmpty();
    }
  }

  @EachTarget
  void pagedListPinnedToOneRevisionThenWatchFromIt(Member member) throws Exception {
    try (Client client = Jetcd.client(member)) {
      KV kv = client.getKVClient();
      for (int i = 0; i < 10; i++) {
        assertThat(create(kv, bytes(CONFIGMAPS + "cm-" + i), "data-" + i).isSucceeded()).isTrue();
      }
      create(kv, bytes("/registry/configmaps/defaulter/outside"), "not in the list");

      // page 1 at the latest revision, the following pages pinned to it
      List<String> listed = new ArrayList<>();
      long listRevision = 0;
      ByteSequence from = bytes(CONFIGMAPS);
      ByteSequence end = bytes(prefixEnd(CONFIGMAPS));
      List<Long> counts = new ArrayList<>();
      for (int page = 0; ; page++) {
        GetResponse response =
            kv.get(
                    from,
                    GetOption.builder()
                        .withRange(end)
                        .withLimit(3)
                        .withRevision(listRevision)
                        .build())
                .get();
        if (page == 0) {
          listRevision = response.getHeader().getRevision();
          // writes between pages must not show in the list
          update(kv, bytes(CONFIGMAPS + "cm-9"), 11, "changed");
          create(kv, bytes(CONFIGMAPS + "cm-99"), "new");
          kv.delete(bytes(CONFIGMAPS + "cm-5")).get();
        }
        response.getKvs().forEach(k -> listed.add(text(k.getKey()) + "=" + text(k.getValue())));
        counts.add(response.getCount());
        // kube-apiserver: hasMore = len(kvs) < count; etcd's own flag must agree
        assertThat(response.isMore()).isEqualTo(response.getKvs().size() < response.getCount());
        if (!response.isMore()) {
          break;
        }
        KeyValue last = response.getKvs().get(response.getKvs().size() - 1);
        from = bytes(text(last.getKey()) + "\0");
      }
      assertThat(listRevision).isEqualTo(12);
      assertThat(listed)
          .containsExactly(
              "/registry/configmaps/default/cm-0=data-0",
              "/registry/configmaps/default/cm-1=data-1",
              "/registry/configmaps/default/cm-2=data-2",
              "/registry/configmaps/default/cm-3=data-3",
              "/registry/configmaps/default/cm-4=data-4",
              "/registry/configmaps/default/cm-5=data-5",
              "/registry/configmaps/default/cm-6=data-6",
              "/registry/configmaps/default/cm-7=data-7",
              "/registry/configmaps/default/cm-8=data-8",
              "/registry/configmaps/default/cm-9=data-9");
      // count is what remains in [continue key, end) at the pinned revision
      assertThat(counts).containsExactly(10L, 7L, 4L, 1L);

      GetResponse countOnly =
          kv.get(bytes(CONFIGMAPS), GetOption.builder().withRange(end).withCountOnly(true).build())
              .get();
      assertThat(countOnly.getCount()).isEqualTo(10);
      assertThat(countOnly.getKvs()).isEmpty();

      // the reflector's watch: from listRevision + 1, prev_kv, progress notifications
      BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
      WatchOption option =
          WatchOption.builder()
              .withRange(end)
              .withRevision(listRevision + 1)
              .withPrevKV(true)
              .withProgressNotify(true)
              .build();
      try (Watch.Watcher watcher =
          client.getWatchClient().watch(bytes(CONFIGMAPS), option, responses::add)) {
        List<WatchEvent> events = new ArrayList<>();
        while (events.size() < 3) {
          events.addAll(poll(responses).getEvents());
        }
        assertThat(events).hasSize(3);
        WatchEvent change = events.get(0);
        assertThat(change.getEventType()).isEqualTo(WatchEvent.EventType.PUT);
        assertThat(text(change.getKeyValue().getValue())).isEqualTo("changed");
        assertThat(change.getKeyValue().getModRevision()).isEqualTo(13);
        assertThat(text(change.getPrevKV().getValue())).isEqualTo("data-9");
        assertThat(change.getPrevKV().getModRevision()).isEqualTo(11);
        WatchEvent creation = events.get(1);
        assertThat(creation.getEventType()).isEqualTo(WatchEvent.EventType.PUT);
        assertThat(creation.getKeyValue().getCreateRevision())
            .isEqualTo(creation.getKeyValue().getModRevision())
            .isEqualTo(14);
        // a create has no previous value: jetcd gives an empty KeyValue
        assertThat(creation.getPrevKV().getKey().isEmpty()).isTrue();
        WatchEvent deletion = events.get(2);
        assertThat(deletion.getEventType()).isEqualTo(WatchEvent.EventType.DELETE);
        assertThat(text(deletion.getKeyValue().getKey())).isEqualTo(CONFIGMAPS + "cm-5");
        assertThat(deletion.getKeyValue().getModRevision()).isEqualTo(15);
        assertThat(text(deletion.getPrevKV().getValue())).isEqualTo("data-5");

        // the watch cache's RequestProgress: once every watcher on the stream is synced, one
        // response with no
        // events whose header carries the current revision
        kv.put(bytes("/registry/events/unwatched"), bytes("x")).get(); // revision 16
        watcher.requestProgress();
        WatchResponse progress = poll(responses);
        assertThat(progress.getEvents()).isEmpty();
        assertThat(progress.isProgressNotify()).isTrue();
        assertThat(progress.getHeader().getRevision()).isEqualTo(16);
      }
    }
  }

  @EachTarget
  void compactionLoopOnCompactRevKey(Member member) throws Exception {
    try (Client client = Jetcd.client(member)) {
      KV kv = client.getKVClient();
      ByteSequence key = bytes(PODS + "p");
      for (int i = 0; i < 5; i++) {
        kv.put(key, bytes("v" + i)).get(); // revisions 2..6
      }

      // first round: the local version is 0 (the key does not exist), so this apiserver wins and
      // compacts
      long localVersion = 0;
      TxnResponse first = compactRound(kv, localVersion, 4);
      assertThat(first.isSucceeded()).isTrue();
      localVersion = 1;
      kv.compact(4).get();

      // a competing apiserver with a stale local version loses and learns the current version from
      // Else
      TxnResponse stale = compactRound(kv, 0, 6);
      assertThat(stale.isSucceeded()).isFalse();
      KeyValue current = stale.getGetResponses().get(0).getKvs().get(0);
      assertThat(current.getVersion()).isEqualTo(localVersion);
      assertThat(text(current.getValue())).isEqualTo("4");

      TxnResponse second = compactRound(kv, localVersion, 6);
      assertThat(second.isSucceeded()).isTrue();
      kv.compact(6).get();

      // a read below the compaction revision: gRPC OUT_OF_RANGE with etcd's message (apiserver: 410
      // Gone)
      assertThatThrownBy(() -> kv.get(key, GetOption.builder().withRevision(5).build()).get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo("etcdserver: mvcc: required revision has been compacted");
              });
      assertThatThrownBy(() -> kv.compact(6).get())
          .cause()
          .hasMessageContaining("etcdserver: mvcc: required revision has been compacted");
      assertThat(
              text(
                  kv.get(key, GetOption.builder().withRevision(6).build())
                      .get()
                      .getKvs()
                      .get(0)
                      .getValue()))
          .isEqualTo("v4");

      // a watch from a compacted revision fails with the compaction revision (the reflector
      // relists)
      BlockingQueue<Throwable> errors = new LinkedBlockingQueue<>();
      try (Watch.Watcher ignored =
          client
              .getWatchClient()
              .watch(key, WatchOption.builder().withRevision(3).build(), r -> {}, errors::add)) {
        Throwable error = errors.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(error).isInstanceOf(CompactedException.class);
        assertThat(((CompactedException) error).getCompactedRevision()).isEqualTo(6);
      }
    }
  }

  private static TxnResponse create(KV kv, ByteSequence key, String value) throws Exception {
    return kv.txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(0)))
        .Then(Op.put(key, bytes(value), PutOption.DEFAULT))
        .commit()
        .get();
  }

  private static TxnResponse update(KV kv, ByteSequence key, long rv, String value)
      throws Exception {
    return kv.txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(rv)))
        .Then(Op.put(key, bytes(value), PutOption.DEFAULT))
        .Else(Op.get(key, GetOption.DEFAULT))
        .commit()
        .get();
  }

  private static TxnResponse delete(KV kv, ByteSequence key, long rv) throws Exception {
    return kv.txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(rv)))
        .Then(Op.delete(key, DeleteOption.DEFAULT))
        .Else(Op.get(key, GetOption.DEFAULT))
        .commit()
        .get();
  }

  /**
   * kube-apiserver's compactor: Txn(If Version(compact_rev_key) == local, Then Put(rev), Else Get).
   */
  private static TxnResponse compactRound(KV kv, long localVersion, long revision)
      throws Exception {
    return kv.txn()
        .If(new Cmp(COMPACT_REV_KEY, Cmp.Op.EQUAL, CmpTarget.version(localVersion)))
        .Then(Op.put(COMPACT_REV_KEY, bytes(Long.toString(revision)), PutOption.DEFAULT))
        .Else(Op.get(COMPACT_REV_KEY, GetOption.DEFAULT))
        .commit()
        .get();
  }

  private static WatchResponse poll(BlockingQueue<WatchResponse> responses)
      throws InterruptedException {
    WatchResponse response = responses.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(response).as("watch response within %s", TIMEOUT).isNotNull();
    return response;
  }

  /** The end of a prefix range: the prefix with its last byte incremented (ASCII here). */
  private static String prefixEnd(String prefix) {
    return prefix.substring(0, prefix.length() - 1)
        + (char) (prefix.charAt(prefix.length() - 1) + 1);
  }
}
