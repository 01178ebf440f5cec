package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watch and Lease through jetcd against an in-process member. */
class WatchAndLeaseApiTest {
  @TempDir Path dir;
  private RunningMember member;
  private Client client;
  private KV kv;

  @BeforeEach
  void start() throws Exception {
    member = new RunningMember(dir);
    client = member.client();
    kv = client.getKVClient();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    member.close();
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  @Test
  void aWatchFromAnOldRevisionReplaysHistoryThenFollowsWithPrevKv() throws Exception {
    kv.put(b("w/a"), b("1")).get();
    kv.put(b("w/a"), b("2")).get();
    List<WatchEvent> events = new CopyOnWriteArrayList<>();
    WatchOption option =
        WatchOption.builder().isPrefix(true).withRevision(2).withPrevKV(true).build();

    try (var watcher =
        client
            .getWatchClient()
            .watch(b("w/"), option, (WatchResponse r) -> events.addAll(r.getEvents()))) {
      kv.delete(b("w/a")).get();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 3);
    }

    assertThat(events)
        .extracting(WatchEvent::getEventType)
        .containsExactly(
            WatchEvent.EventType.PUT, WatchEvent.EventType.PUT, WatchEvent.EventType.DELETE);
    assertThat(events.get(1).getPrevKV().getValue()).isEqualTo(b("1"));
    assertThat(events.get(2).getPrevKV().getValue()).isEqualTo(b("2"));
    assertThat(events.get(2).getKeyValue().getModRevision()).isEqualTo(4);
  }

  @Test
  void aQuietWatcherThatAskedForProgressNotificationsGetsThem(@TempDir Path other)
      throws Exception {
    try (RunningMember quick = new RunningMember(other, "--watch-progress-notify-interval=200ms");
        Client quickClient = quick.client()) {
      quickClient.getKVClient().put(b("n"), b("1")).get();
      List<WatchResponse> responses = new CopyOnWriteArrayList<>();
      WatchOption option = WatchOption.builder().withProgressNotify(true).build();

      try (var watcher = quickClient.getWatchClient().watch(b("n"), option, responses::add)) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !responses.isEmpty());
      }

      assertThat(responses.get(0).isProgressNotify()).isTrue();
      assertThat(responses.get(0).getHeader().getRevision()).isEqualTo(2);
    }
  }

  @Test
  void revokingALeaseDeletesItsKeys() throws Exception {
    long lease = client.getLeaseClient().grant(60).get().getID();
    kv.put(b("l/a"), b("1"), PutOption.builder().withLeaseId(lease).build()).get();
    kv.put(b("l/b"), b("2"), PutOption.builder().withLeaseId(lease).build()).get();

    var ttl =
        client
            .getLeaseClient()
            .timeToLive(lease, LeaseOption.builder().withAttachedKeys().build())
            .get();
    assertThat(ttl.getGrantedTTL()).isEqualTo(60);
    assertThat(ttl.getKeys()).containsExactly(b("l/a"), b("l/b"));

    client.getLeaseClient().revoke(lease).get();

    assertThat(kv.get(b("l/"), GetOption.builder().isPrefix(true).build()).get().getCount())
        .isZero();
    assertThat(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get().getTTL())
        .isEqualTo(-1);
  }

  @Test
  void anExpiredLeaseTakesItsKeysWithItWithinASecondOfItsTtl() throws Exception {
    long lease = client.getLeaseClient().grant(2).get().getID();
    kv.put(b("e/a"), b("1"), PutOption.builder().withLeaseId(lease).build()).get();
    long granted = System.nanoTime();

    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> kv.get(b("e/a")).get().getCount() == 0);

    assertThat(Duration.ofNanos(System.nanoTime() - granted)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void keepAliveRenewsAndLeasesSurviveARestart() throws Exception {
    long lease = client.getLeaseClient().grant(30).get().getID();
    var renewed = client.getLeaseClient().keepAliveOnce(lease).get();
    assertThat(renewed.getTTL()).isEqualTo(30);
    kv.put(b("r/a"), b("1"), PutOption.builder().withLeaseId(lease).build()).get();

    client.close();
    member.restart();
    client = member.client();
    kv = client.getKVClient();

    assertThat(client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get().getTTL())
        .isPositive();
    assertThat(kv.get(b("r/a")).get().getKvs().get(0).getLease()).isEqualTo(lease);
  }
}
