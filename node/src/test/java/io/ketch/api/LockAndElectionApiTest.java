package io.ketch.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** v3lock and v3election through jetcd's Lock and Election clients. */
class LockAndElectionApiTest {
  @TempDir Path dir;
  private RunningMember member;
  private Client client;

  @BeforeEach
  void start() throws Exception {
    member = new RunningMember(dir);
    client = member.client();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    member.close();
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  private long lease() throws Exception {
    return client.getLeaseClient().grant(60).get().getID();
  }

  @Test
  void aSecondLockerWaitsUntilTheFirstUnlocks() throws Exception {
    ByteSequence first = client.getLockClient().lock(b("job"), lease()).get().getKey();
    CompletableFuture<io.etcd.jetcd.lock.LockResponse> second =
        client.getLockClient().lock(b("job"), lease());

    // Both keys exist under the lock's prefix (the second queues), but only the first holds it.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () ->
                client
                        .getKVClient()
                        .get(
                            b("job/"),
                            io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build())
                        .get()
                        .getCount()
                    == 2);
    assertThat(first.toString(UTF_8)).startsWith("job/");
    assertThat(second).isNotDone();

    client.getLockClient().unlock(first).get();

    ByteSequence granted = second.get(10, TimeUnit.SECONDS).getKey();
    assertThat(granted).isNotEqualTo(first);
  }

  @Test
  void theFirstCandidateLeadsAndProclaimsItsValue() throws Exception {
    LeaderKey leader =
        client.getElectionClient().campaign(b("svc"), lease(), b("a")).get().getLeader();
    assertThat(client.getElectionClient().leader(b("svc")).get().getKv().getValue())
        .isEqualTo(b("a"));

    client.getElectionClient().proclaim(leader, b("b")).get();
    assertThat(client.getElectionClient().leader(b("svc")).get().getKv().getValue())
        .isEqualTo(b("b"));

    client.getElectionClient().resign(leader).get();
    assertThatThrownBy(() -> client.getElectionClient().leader(b("svc")).get())
        .isInstanceOf(ExecutionException.class)
        // jetcd recognises etcd's "election: no leader" text and raises its own exception for it.
        .hasCauseInstanceOf(io.etcd.jetcd.election.NoLeaderException.class);
  }
}
