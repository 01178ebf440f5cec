package io.ketch.e2e.faults;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.ketch.e2e.harness.Cluster;
import io.ketch.e2e.harness.Member;
import io.ketch.e2e.harness.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The faults a run injects while the clients work, until its deadline. Each schedule keeps the set
 * of members that are down (killed, paused, being removed, learners) so that clients go elsewhere,
 * as a client with a list of endpoints would; a partitioned member stays "up": clients that reach
 * it see what a real client would (timeouts).
 */
enum FaultSchedule {
  /** Kill -9 the leader, restart it a second later. */
  LEADER_KILL {
    @Override
    void inject(Run run) {
      while (run.more()) {
        Member leader = run.cluster.awaitLeader();
        run.down(leader);
        leader.kill9();
        run.fault();
        run.sleep(1000);
        leader.restart();
        run.up(leader);
        run.sleep(1000);
      }
    }
  },
  /** Kill -9 any member, restart it. */
  RANDOM_KILL {
    @Override
    void inject(Run run) {
      while (run.more()) {
        Member victim = run.any();
        run.down(victim);
        victim.kill9();
        run.fault();
        run.sleep(500 + run.random.nextInt(1000));
        victim.restart();
        run.up(victim);
        run.sleep(500);
      }
    }
  },
  /** SIGSTOP a member (the leader half of the time) for 1.5 s. */
  PAUSE {
    @Override
    void inject(Run run) {
      while (run.more()) {
        Member victim = run.random.nextBoolean() ? run.cluster.awaitLeader() : run.any();
        run.down(victim);
        victim.pause();
        run.fault();
        run.sleep(1500);
        victim.resume();
        run.up(victim);
        run.sleep(1000);
      }
    }
  },
  /** A minority (1 of 3, 2 of 5) cut off from the majority, both ways. */
  PARTITION {
    @Override
    void inject(Run run) {
      while (run.more()) {
        List<Member> shuffled = new ArrayList<>(run.cluster.members());
        Collections.shuffle(shuffled, run.random);
        int minority = (shuffled.size() - 1) / 2;
        run.cluster
            .links()
            .partition(shuffled.subList(0, minority), shuffled.subList(minority, shuffled.size()));
        run.fault();
        run.sleep(2000);
        run.cluster.links().heal();
        run.sleep(1000);
      }
    }
  },
  /** The leader alone on its side. */
  ISOLATED_LEADER {
    @Override
    void inject(Run run) {
      while (run.more()) {
        Member leader = run.cluster.awaitLeader();
        run.cluster.links().partition(List.of(leader), run.others(leader));
        run.fault();
        run.sleep(2000);
        run.cluster.links().heal();
        run.sleep(1000);
      }
    }
  },
  /** Bytes from the leader to one follower are held back (then the other way round). */
  ONE_WAY {
    @Override
    void inject(Run run) {
      boolean fromLeader = true;
      while (run.more()) {
        Member leader = run.cluster.awaitLeader();
        Member follower = run.others(leader).get(run.random.nextInt(run.others(leader).size()));
        if (fromLeader) {
          run.cluster.links().drop(leader, follower);
        } else {
          run.cluster.links().drop(follower, leader);
        }
        fromLeader = !fromLeader;
        run.fault();
        run.sleep(2000);
        run.cluster.links().heal();
        run.sleep(1000);
      }
    }
  },
  /** The link between the leader and a follower goes down and up every 200-500 ms. */
  FLAPPING {
    @Override
    void inject(Run run) {
      Member leader = run.cluster.awaitLeader();
      Member follower = run.others(leader).get(0);
      while (run.more()) {
        run.cluster.links().partition(List.of(leader), List.of(follower));
        run.fault();
        run.sleep(200 + run.random.nextInt(300));
        run.cluster.links().heal();
        run.sleep(200 + run.random.nextInt(300));
      }
    }
  },
  /** Add a learner, promote it, remove a member, replace a member: over and over, under load. */
  MEMBERSHIP {
    @Override
    void inject(Run run) {
      while (run.more()) {
        Member learner = run.cluster.addMember(true);
        run.down(learner); // etcd's learners refuse the clients' requests
        run.fault();
        run.cluster.promote(learner);
        run.up(learner);
        run.fault();
        run.sleep(500);
        Member removed = run.any();
        run.down(removed);
        run.cluster.remove(removed);
        run.fault();
        run.sleep(500);
        Member replaced = run.any();
        run.down(replaced);
        run.cluster.replace(replaced);
        run.fault();
        run.sleep(500);
      }
    }
  },
  /**
   * A follower is killed while more writes than the leader keeps in its log arrive (etcd keeps 5000
   * entries after a snapshot), then restarted: it can only catch up from a snapshot.
   */
  SNAPSHOT_CATCH_UP {
    @Override
    void inject(Run run) throws InterruptedException {
      while (run.more()) {
        Member follower = run.others(run.cluster.awaitLeader()).get(0);
        run.down(follower);
        follower.kill9();
        run.fault();
        // etcd keeps 5000 entries after a snapshot for slow followers; Ketch keeps none
        run.recorder.burst(8, run.cluster.target() == Target.ETCD ? 6000 : 2500);
        follower.restart();
        run.up(follower);
        run.sleep(1000);
      }
    }
  },
  /** Compaction at the current revision minus a few, every 300 ms, while watches run. */
  COMPACTION {
    @Override
    void inject(Run run) {
      long compacted = 0;
      while (run.more()) {
        Member member = run.any();
        long revision = run.cluster.status(member).map(Cluster.Status::revision).orElse(0L) - 5;
        if (revision > compacted) {
          ManagedChannel channel =
              ManagedChannelBuilder.forTarget(member.endpoint()).usePlaintext().build();
          try {
            KVGrpc.newBlockingStub(channel)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .compact(CompactionRequest.newBuilder().setRevision(revision).build());
            compacted = revision;
            run.compacted(revision);
            run.fault();
          } catch (StatusRuntimeException e) {
            // compacted already by a later request, or the member lags: the next round
          } finally {
            channel.shutdownNow();
          }
        }
        run.sleep(300);
      }
    }
  };

  abstract void inject(Run run) throws InterruptedException;

  /** What a schedule acts on while it runs, and what it did. */
  static final class Run {
    final Cluster cluster;
    final Random random;
    Recorder recorder;
    private final long deadline;
    private final Set<Member> down = ConcurrentHashMap.newKeySet();
    private volatile int faults;
    private volatile long compactedRevision;

    Run(Cluster cluster, Random random, Duration duration) {
      this.cluster = cluster;
      this.random = random;
      this.deadline = System.nanoTime() + duration.toNanos();
    }

    boolean more() {
      return System.nanoTime() < deadline;
    }

    /** The members clients may use now. */
    List<Member> up() {
      return cluster.members().stream().filter(m -> !down.contains(m)).toList();
    }

    void down(Member m) {
      down.add(m);
    }

    void up(Member m) {
      down.remove(m);
    }

    Member any() {
      List<Member> members = cluster.members();
      return members.get(random.nextInt(members.size()));
    }

    List<Member> others(Member m) {
      return cluster.members().stream().filter(x -> x != m).toList();
    }

    void fault() {
      faults++;
    }

    int faults() {
      return faults;
    }

    void compacted(long revision) {
      compactedRevision = revision;
    }

    long compactedRevision() {
      return compactedRevision;
    }

    /** Brings every member back: links healed, paused ones resumed, dead ones restarted. */
    void heal() {
      cluster.links().heal();
      for (Member m : cluster.members()) {
        m.resume();
        if (!m.isAlive()) {
          m.restart();
        }
        down.remove(m);
      }
    }

    /** The pause between faults; a schedule's timing, not a synchronisation. */
    void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
