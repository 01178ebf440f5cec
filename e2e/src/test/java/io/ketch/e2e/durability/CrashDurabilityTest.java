package io.ketch.e2e.durability;

import static io.ketch.e2e.harness.Jetcd.bytes;
import static io.ketch.e2e.harness.Jetcd.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.ketch.e2e.harness.EachTarget;
import io.ketch.e2e.harness.Jetcd;
import io.ketch.e2e.harness.Member;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * SIGKILL at a random moment under concurrent writes, restart on the same data dir: every write
 * whose response arrived must be there with its value. Rounds: -Dketch.e2e.crash.rounds (3 by
 * default); seed: -Dketch.e2e.seed.
 */
class CrashDurabilityTest {

  private static final int WRITERS = 4;

  @EachTarget
  void acknowledgedWritesSurviveKill9(Member member) throws Exception {
    int rounds = Integer.getInteger("ketch.e2e.crash.rounds", 3);
    long seed = Long.getLong("ketch.e2e.seed", System.nanoTime());
    Random random = new Random(seed);
    System.out.printf(
        "CrashDurabilityTest on %s: %d rounds, -Dketch.e2e.seed=%d%n", member.name(), rounds, seed);
    for (int round = 0; round < rounds; round++) {
      int killAfter = 20 + random.nextInt(200);
      Map<String, String> acknowledged = writeUntilKilled(member, round, killAfter);
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(killAfter);
      member.restart();
      verify(member, round, acknowledged);
    }
  }

  /**
   * Each writer commits txn(Put(unique key), Put(writer's "last" key)) one after another and
   * records the unique key once the response arrived; the member is SIGKILLed after {@code
   * killAfter} acknowledgements, with writes in flight.
   */
  private static Map<String, String> writeUntilKilled(Member member, int round, int killAfter)
      throws InterruptedException {
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger count = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    List<Thread> writers =
        IntStream.range(0, WRITERS)
            .mapToObj(
                w ->
                    new Thread(
                        () -> write(member, round, w, acknowledged, count, killed),
                        "crash-writer-" + w))
            .toList();
    writers.forEach(Thread::start);
    await("acknowledged writes before the kill")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> count.get() >= killAfter || writers.stream().noneMatch(Thread::isAlive));
    member.kill9();
    killed.set(true);
    for (Thread writer : writers) {
      writer.join(Duration.ofSeconds(30).toMillis());
      assertThat(writer.isAlive()).as("writer stopped after the kill").isFalse();
    }
    return new HashMap<>(acknowledged);
  }

  private static void write(
      Member member,
      int round,
      int writer,
      Map<String, String> acknowledged,
      AtomicInteger count,
      AtomicBoolean killed) {
    try (Client client = Jetcd.client(member)) {
      KV kv = client.getKVClient();
      ByteSequence last = bytes(prefix(round) + "last/" + writer);
      for (int i = 0; ; i++) {
        String key = prefix(round) + "w" + writer + "/" + i;
        String value = "round " + round + " writer " + writer + " write " + i;
        CompletableFuture<TxnResponse> response =
            kv.txn()
                .Then(
                    Op.put(bytes(key), bytes(value), PutOption.DEFAULT),
                    Op.put(last, bytes(Integer.toString(i)), PutOption.DEFAULT))
                .commit();
        if (!awaitResponse(response, killed)) {
          return; // the member is gone: this write is in doubt, the writer stops
        }
        acknowledged.put(key, value);
        count.incrementAndGet();
      }
    }
  }

  /**
   * True once the response arrived; false if the write failed or the member was killed before it
   * answered.
   */
  private static boolean awaitResponse(
      CompletableFuture<TxnResponse> response, AtomicBoolean killed) {
    while (true) {
      try {
        response.get(20, TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException stillRunning) {
        if (killed.get() && !response.isDone()) {
          response.cancel(true);
          return false;
        }
      } catch (ExecutionException | CancellationException failed) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static void verify(Member member, int round, Map<String, String> acknowledged)
      throws Exception {
    try (Client client = Jetcd.client(member)) {
      List<KeyValue> kvs =
          client
              .getKVClient()
              .get(bytes(prefix(round)), GetOption.builder().isPrefix(true).build())
              .get()
              .getKvs();
      Map<String, String> stored = new HashMap<>();
      kvs.forEach(kv -> stored.put(text(kv.getKey()), text(kv.getValue())));
      assertThat(stored)
          .as("round %d after SIGKILL and restart", round)
          .containsAllEntriesOf(acknowledged);
      // each writer's "last" key holds its newest committed write: at least its newest acknowledged
      // one
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        int newestAcknowledged =
            acknowledged.keySet().stream()
                .filter(k -> k.startsWith(prefix(round) + "w" + writer + "/"))
                .mapToInt(k -> Integer.parseInt(k.substring(k.lastIndexOf('/') + 1)))
                .max()
                .orElse(-1);
        if (newestAcknowledged >= 0) {
          String last = stored.get(prefix(round) + "last/" + writer);
          assertThat(Integer.parseInt(last)).isGreaterThanOrEqualTo(newestAcknowledged);
          assertThat(stored).containsKey(prefix(round) + "w" + writer + "/" + last);
        }
      }
    }
  }

  private static String prefix(int round) {
    return "/crash/" + round + "/";
  }
}
