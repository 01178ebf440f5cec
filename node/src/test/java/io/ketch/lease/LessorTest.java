package io.ketch.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LessorTest {

  private static final long MINUTE = 60_000;
  private static final LessorConfig CONFIG = new LessorConfig(2, 5 * MINUTE, 3_000, 750);

  private long now = 1_000_000;
  private final Lessor lessor = new Lessor(CONFIG, () -> now);

  private static ByteString key(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private void advance(long millis) {
    now += millis;
  }

  private static LeaseException.Kind kindOf(Runnable call) {
    try {
      call.run();
    } catch (LeaseException e) {
      return e.kind();
    }
    throw new AssertionError("no LeaseException");
  }

  @Test
  void minimumTtlFollowsTheElectionTimeout() {
    assertThat(LessorConfig.DEFAULT.minTtlSeconds()).isEqualTo(2);
    assertThat(LessorConfig.forElectionTimeout(Duration.ofMillis(3000)).minTtlSeconds())
        .isEqualTo(5);
    assertThat(LessorConfig.forElectionTimeout(Duration.ofMillis(100)).minTtlSeconds())
        .isEqualTo(1);
    assertThat(LessorConfig.DEFAULT.checkpointIntervalMillis()).isEqualTo(5 * MINUTE);
  }

  @Test
  void grantRaisesShortTtlsToTheMinimum() {
    assertThat(lessor.grant(1, 1)).isEqualTo(2);
    assertThat(lessor.grant(2, 0)).isEqualTo(2);
    assertThat(lessor.grant(3, 10)).isEqualTo(10);
    assertThat(lessor.timeToLive(1, false).grantedTtlSeconds()).isEqualTo(2);
  }

  @Test
  void grantRefusesTakenIdsTooLargeTtlsAndIdZero() {
    lessor.grant(7, 10);
    assertThat(kindOf(() -> lessor.grant(7, 20))).isEqualTo(LeaseException.Kind.EXISTS);
    assertThat(kindOf(() -> lessor.grant(8, 9_000_000_001L)))
        .isEqualTo(LeaseException.Kind.TTL_TOO_LARGE);
    assertThat(lessor.grant(8, 9_000_000_000L)).isEqualTo(9_000_000_000L);
    assertThat(kindOf(() -> lessor.grant(0, 10))).isEqualTo(LeaseException.Kind.NOT_FOUND);
  }

  @Test
  void errorsCarryEtcdsClientFacingMessages() {
    assertThatThrownBy(() -> lessor.revoke(1))
        .isInstanceOf(LeaseException.class)
        .hasMessage("etcdserver: requested lease not found");
    lessor.grant(1, 10);
    assertThatThrownBy(() -> lessor.grant(1, 10)).hasMessage("etcdserver: lease already exists");
    assertThatThrownBy(() -> lessor.grant(2, Long.MAX_VALUE))
        .hasMessage("etcdserver: too large lease TTL");
  }

  @Test
  void revokeReturnsTheAttachedKeysInKeyOrderAndForgetsThem() {
    lessor.grant(1, 10);
    lessor.attach(1, key("b"));
    lessor.attach(1, key("a"));
    lessor.attach(1, key("\u00ff"));
    assertThat(lessor.leaseOf(key("a"))).isEqualTo(1);

    assertThat(lessor.revoke(1)).containsExactly(key("a"), key("b"), key("\u00ff"));
    assertThat(lessor.leaseOf(key("a"))).isEqualTo(Lessor.NO_LEASE);
    assertThat(lessor.contains(1)).isFalse();
    assertThat(lessor.timeToLive(1, true)).isEqualTo(TimeToLive.notFound(1));
    assertThat(lessor.timeToLive(1, true).remainingTtlSeconds()).isEqualTo(-1);
    assertThat(kindOf(() -> lessor.revoke(1))).isEqualTo(LeaseException.Kind.NOT_FOUND);
  }

  @Test
  void attachMovesAKeyBetweenLeasesAndDetachForgetsIt() {
    lessor.grant(1, 10);
    lessor.grant(2, 10);
    lessor.attach(1, key("k"));
    lessor.attach(2, key("k"));
    assertThat(lessor.timeToLive(1, true).keys()).isEmpty();
    assertThat(lessor.timeToLive(2, true).keys()).containsExactly(key("k"));
    assertThat(lessor.detach(1, key("k"))).isFalse();
    assertThat(lessor.detach(2, key("k"))).isTrue();
    assertThat(lessor.leaseOf(key("k"))).isEqualTo(Lessor.NO_LEASE);
    assertThat(lessor.detach(99, key("k"))).isFalse();
    assertThat(kindOf(() -> lessor.attach(99, key("k")))).isEqualTo(LeaseException.Kind.NOT_FOUND);
  }

  @Test
  void leasesExpireOnlyOnThePrimary() {
    lessor.grant(1, 5);
    advance(60_000);
    assertThat(lessor.expired(10)).isEmpty();
    assertThat(kindOf(() -> lessor.renew(1))).isEqualTo(LeaseException.Kind.NOT_PRIMARY);
    assertThat(lessor.timeToLive(1, false).remainingTtlSeconds()).isEqualTo(5);

    lessor.promote(0);
    advance(4_999);
    assertThat(lessor.expired(10)).isEmpty();
    advance(1);
    assertThat(lessor.expired(10)).containsExactly(1L);

    lessor.demote();
    advance(60_000);
    assertThat(lessor.expired(10)).isEmpty();
    assertThat(lessor.checkpointsDue(10)).isEmpty();
  }

  @Test
  void grantOnThePrimaryStartsTheClock() {
    lessor.promote(0);
    lessor.grant(1, 10);
    advance(3_500);
    TimeToLive ttl = lessor.timeToLive(1, false);
    assertThat(ttl.grantedTtlSeconds()).isEqualTo(10);
    assertThat(ttl.remainingTtlSeconds()).isEqualTo(6);
    assertThat(ttl.found()).isTrue();
    advance(6_500);
    assertThat(lessor.expired(10)).containsExactly(1L);
    assertThat(lessor.timeToLive(1, false).remainingTtlSeconds()).isZero();
  }

  @Test
  void promoteExtendsEveryLease() {
    lessor.grant(1, 10);
    lessor.promote(1_500);
    advance(11_499);
    assertThat(lessor.expired(10)).isEmpty();
    advance(1);
    assertThat(lessor.expired(10)).containsExactly(1L);
  }

  @Test
  void promoteSpreadsAPileOfExpiriesToTheConfiguredRate() {
    for (long id = 1; id <= 3_000; id++) {
      lessor.grant(id, id <= 2_900 ? 10 : 60);
    }
    lessor.promote(0);
    advance(9_999);
    assertThat(lessor.expired(10_000)).isEmpty();
    List<Integer> perSecond = new ArrayList<>();
    int total = 0;
    for (int second = 0; second < 60; second++) {
      advance(1_000);
      List<Long> batch = lessor.expired(10_000);
      batch.forEach(lessor::revoke);
      perSecond.add(batch.size());
      total += batch.size();
    }
    assertThat(perSecond).allMatch(n -> n <= 750);
    assertThat(perSecond.subList(0, 3)).allMatch(n -> n >= 700); // spread, not stalled
    assertThat(perSecond.subList(4, 50)).allMatch(n -> n == 0);
    assertThat(perSecond.get(50)).isEqualTo(100); // the 60 s leases were not piled up: unmoved
    assertThat(total).isEqualTo(3_000);
  }

  @Test
  void fewLeasesAreNotSpread() {
    for (long id = 1; id <= 750; id++) {
      lessor.grant(id, 10);
    }
    lessor.promote(0);
    advance(10_000);
    assertThat(lessor.expired(10_000)).hasSize(750);
  }

  @Test
  void renewPushesTheExpiryBackByTheFullTtl() {
    lessor.promote(0);
    lessor.grant(1, 10);
    advance(9_000);
    assertThat(lessor.renew(1)).isEqualTo(10);
    advance(9_999);
    assertThat(lessor.expired(10)).isEmpty();
    advance(1);
    assertThat(lessor.expired(10)).containsExactly(1L);
  }

  @Test
  void renewOfAnExpiredOrUnknownLeaseIsNotFound() {
    lessor.promote(0);
    lessor.grant(1, 2);
    advance(2_000);
    assertThat(kindOf(() -> lessor.renew(1))).isEqualTo(LeaseException.Kind.NOT_FOUND);
    assertThat(kindOf(() -> lessor.renew(2))).isEqualTo(LeaseException.Kind.NOT_FOUND);
  }

  @Test
  void anExpiredLeaseIsHandedOutAgainOnlyAfterTheRetryInterval() {
    lessor.promote(0);
    lessor.grant(1, 2);
    advance(2_000);
    assertThat(lessor.expired(10)).containsExactly(1L);
    advance(2_999);
    assertThat(lessor.expired(10)).isEmpty();
    advance(1);
    assertThat(lessor.expired(10)).containsExactly(1L);
    lessor.revoke(1);
    advance(10_000);
    assertThat(lessor.expired(10)).isEmpty();
  }

  @Test
  void manyLeasesExpireInExpiryOrderAtMostMaxAtATime() {
    lessor.promote(0);
    Random random = new Random(42);
    Map<Long, Long> expiry = new HashMap<>();
    for (long id = 1; id <= 2_000; id++) {
      long ttl = 2 + random.nextInt(100);
      lessor.grant(id, ttl);
      expiry.put(id, now + ttl * 1000);
      advance(random.nextInt(20));
      long renewed = 1 + random.nextInt((int) id);
      if (random.nextInt(3) == 0 && expiry.get(renewed) > now) {
        long renewedTtl = lessor.renew(renewed);
        expiry.put(renewed, now + renewedTtl * 1000);
      }
    }
    int max = 50;
    while (!expiry.isEmpty()) {
      advance(random.nextInt(2_000));
      List<Long> batch = lessor.expired(max);
      Comparator<Long> byExpiry =
          Comparator.<Long>comparingLong(expiry::get).thenComparing(Comparator.naturalOrder());
      assertThat(batch).hasSizeLessThanOrEqualTo(max).isSortedAccordingTo(byExpiry);
      batch.forEach(id -> assertThat(expiry.get(id)).isLessThanOrEqualTo(now));
      batch.forEach(lessor::revoke);
      batch.forEach(expiry::remove);
      if (batch.size() < max) {
        expiry.values().forEach(at -> assertThat(at).isGreaterThan(now));
      }
    }
    assertThat(lessor.leases()).isEmpty();
  }

  @Test
  void expiredHandsOutSoonestFirst() {
    lessor.promote(0);
    lessor.grant(3, 30);
    lessor.grant(1, 10);
    lessor.grant(2, 20);
    advance(60_000);
    assertThat(lessor.expired(2)).containsExactly(1L, 2L);
    assertThat(lessor.expired(2)).containsExactly(3L);
  }

  @Test
  void theLeaderCheckpointsRemainingTtlsEveryInterval() {
    lessor.promote(0);
    lessor.grant(1, 3600);
    lessor.grant(2, 60); // shorter than an interval: never checkpointed
    advance(5 * MINUTE - 1);
    assertThat(lessor.checkpointsDue(10)).isEmpty();
    advance(1);
    assertThat(lessor.checkpointsDue(10)).containsExactly(new LeaseCheckpoint(1, 3300));
    assertThat(lessor.checkpointsDue(10)).isEmpty();
    lessor.checkpoint(1, 3300); // applied: schedules the next one
    advance(5 * MINUTE);
    assertThat(lessor.checkpointsDue(10)).containsExactly(new LeaseCheckpoint(1, 3000));
  }

  @Test
  void checkpointsRestoreTheRemainingTtlOnTheNextLeader() {
    lessor.grant(1, 3600);
    lessor.checkpoint(1, 100);
    assertThat(lessor.timeToLive(1, false).remainingTtlSeconds()).isEqualTo(100);
    lessor.promote(1_000);
    advance(100_999);
    assertThat(lessor.expired(10)).isEmpty();
    advance(1);
    assertThat(lessor.expired(10)).containsExactly(1L);
  }

  @Test
  void renewAfterACheckpointAsksToClearIt() {
    lessor.promote(0);
    lessor.grant(1, 3600);
    lessor.checkpoint(1, 100);
    lessor.renew(1);
    lessor.renew(1);
    assertThat(lessor.checkpointsDue(10)).containsExactly(new LeaseCheckpoint(1, 0));
    assertThat(lessor.checkpointsDue(10)).isEmpty();
    lessor.checkpoint(1, 0);
    lessor.renew(1);
    assertThat(lessor.checkpointsDue(10)).isEmpty();

    lessor.demote();
    lessor.promote(0);
    advance(3_599_999);
    assertThat(lessor.expired(10)).isEmpty();
  }

  @Test
  void checkpointsDueRespectsMax() {
    lessor.promote(0);
    LongStream.rangeClosed(1, 5).forEach(id -> lessor.grant(id, 3600));
    advance(6 * MINUTE);
    assertThat(lessor.checkpointsDue(3)).hasSize(3);
    assertThat(lessor.checkpointsDue(3)).hasSize(2);
  }

  @Test
  void snapshotRoundTripKeepsLeasesRemainingTtlsAndKeys() throws IOException {
    lessor.grant(2, 60);
    lessor.grant(1, 3600);
    lessor.checkpoint(1, 120);
    lessor.attach(1, key("a"));
    lessor.attach(1, key("b"));
    lessor.attach(2, key("c"));
    byte[] bytes = snapshot(lessor);

    long[] clock = {5};
    Lessor restored = new Lessor(CONFIG, () -> clock[0]);
    restored.grant(9, 10); // replaced by the snapshot
    restored.restoreSnapshot(new DataInputStream(new ByteArrayInputStream(bytes)));

    assertThat(restored.leases()).containsExactly(1L, 2L);
    assertThat(restored.timeToLive(1, true))
        .isEqualTo(new TimeToLive(1, 3600, 120, List.of(key("a"), key("b"))));
    assertThat(restored.timeToLive(2, true))
        .isEqualTo(new TimeToLive(2, 60, 60, List.of(key("c"))));
    assertThat(restored.leaseOf(key("c"))).isEqualTo(2);
    assertThat(snapshot(restored)).isEqualTo(bytes);

    restored.promote(0);
    clock[0] += 60_000;
    assertThat(restored.expired(10)).containsExactly(2L);
    restored.revoke(2);
    clock[0] += 60_000;
    assertThat(restored.expired(10)).containsExactly(1L);
  }

  @Test
  void restoringOnThePrimaryRestartsEveryLeasesClock() throws IOException {
    lessor.grant(1, 10);
    byte[] bytes = snapshot(lessor);
    Lessor leader = new Lessor(CONFIG, () -> now);
    leader.promote(0);
    leader.restoreSnapshot(new DataInputStream(new ByteArrayInputStream(bytes)));
    advance(10_000);
    assertThat(leader.expired(10)).containsExactly(1L);
  }

  private static byte[] snapshot(Lessor lessor) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    lessor.writeSnapshot(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }
}
