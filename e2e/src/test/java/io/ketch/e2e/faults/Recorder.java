package io.ketch.e2e.faults;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ketch.e2e.faults.History.Delete;
import io.ketch.e2e.faults.History.Get;
import io.ketch.e2e.faults.History.Grant;
import io.ketch.e2e.faults.History.Input;
import io.ketch.e2e.faults.History.KV;
import io.ketch.e2e.faults.History.Output;
import io.ketch.e2e.faults.History.Put;
import io.ketch.e2e.faults.History.Range;
import io.ketch.e2e.faults.History.Revoke;
import io.ketch.e2e.faults.History.Txn;
import io.ketch.e2e.harness.Member;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Concurrent clients that record every operation into a {@link History}: gets, ranges, puts (some
 * on a lease), deletes, compare-and-swap txns, lease grants and revokes, over a few keys under one
 * prefix that nothing else writes (each run has its own, so runs can share a cluster). They speak
 * etcd's gRPC API through jetcd's generated stubs, one call per op and no retries (a retry would be
 * a second op), each op to a member picked at random among those the fault schedule says are up.
 *
 * <p>Outcomes: a read that fails is dropped (it changed nothing); a write that fails is kept as
 * unknown (it may have been applied), except etcd's definite "requested lease not found".
 */
final class Recorder implements AutoCloseable {

  private static final int KEYS = 5;
  private static final long TIMEOUT_MS = 2000;
  private static final long LEASE_TTL = 600;

  private final History history = new History();
  private final Supplier<List<Member>> up;
  private final String prefix;
  private final long seed;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  /** Clients of the members {@code up} says are up, on keys under {@code prefix} (fresh, empty). */
  Recorder(Supplier<List<Member>> up, String prefix, long seed) {
    this.up = up;
    this.prefix = prefix;
    this.seed = seed;
  }

  History history() {
    return history;
  }

  /** Starts {@code count} clients that run until {@link #stop()}. */
  void start(int count) {
    for (int i = 0; i < count; i++) {
      Client client = new Client(threads.size(), new Random(seed * 1_000 + threads.size()));
      Thread thread = new Thread(client::run, "recorder-client-" + client.id);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /** {@code clients} more clients doing {@code puts} recorded puts between them, then done. */
  void burst(int clients, int puts) throws InterruptedException {
    List<Thread> burst = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Client client = new Client(1000 + i, new Random(seed * 7 + i));
      int share = puts / clients;
      Thread t = new Thread(() -> client.puts(share), "recorder-burst-" + i);
      burst.add(t);
      t.start();
    }
    for (Thread t : burst) {
      t.join();
    }
  }

  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
  }

  @Override
  public void close() {
    running = false;
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  private ManagedChannel channel(Member m) {
    return channels.computeIfAbsent(
        m.endpoint(), e -> ManagedChannelBuilder.forTarget(e).usePlaintext().build());
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static KV kv(KeyValue kv) {
    return new KV(
        kv.getKey().toString(StandardCharsets.UTF_8),
        kv.getValue().toString(StandardCharsets.UTF_8),
        kv.getCreateRevision(),
        kv.getModRevision(),
        kv.getVersion(),
        kv.getLease());
  }

  /** The end of the range of every key under {@code prefix}. */
  static ByteString rangeEnd(String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    p[p.length - 1]++;
    return ByteString.copyFrom(p);
  }

  private final class Client {
    final int id;
    final Random random;
    int sequence;
    long lease;
    final Map<String, Long> lastModRevision = new ConcurrentHashMap<>();

    Client(int id, Random random) {
      this.id = id;
      this.random = random;
    }

    void run() {
      while (running) {
        if (!execute(pick())) {
          pause(100 + random.nextInt(100)); // back off: a dead member would flood unknown ops
        }
      }
    }

    void puts(int count) {
      for (int i = 0; i < count; i++) {
        String key = prefix + "k" + random.nextInt(KEYS);
        if (!execute(new Put(key, value(), 0))) {
          pause(100);
        }
      }
    }

    private Input pick() {
      String key = prefix + "k" + random.nextInt(KEYS);
      int roll = random.nextInt(100);
      if (roll < 25) {
        return new Get(key);
      } else if (roll < 35) {
        return new Range();
      } else if (roll < 58) {
        return new Put(key, value(), 0);
      } else if (roll < 66) {
        return new Delete(key);
      } else if (roll < 84) {
        return new Txn(key, lastModRevision.getOrDefault(key, 0L), value());
      } else if (lease == 0) {
        return new Grant(LEASE_TTL);
      } else if (roll < 93) {
        return new Put(key, value(), lease);
      } else {
        return new Revoke(lease);
      }
    }

    private String value() {
      return "c" + id + "-" + sequence++;
    }

    /** Runs one op and records it; false if it failed. */
    private boolean execute(Input input) {
      List<Member> members = up.get();
      if (members.isEmpty()) {
        return false;
      }
      ManagedChannel channel = channel(members.get(random.nextInt(members.size())));
      long call = System.nanoTime();
      try {
        Output output = send(channel, input);
        history.add(id, call, System.nanoTime(), input, output);
        learn(input, output);
        return true;
      } catch (StatusRuntimeException e) {
        if (isNoSuchLease(e) && (input instanceof Put || input instanceof Revoke)) {
          history.add(id, call, System.nanoTime(), input, Output.noSuchLease());
          lease = 0;
          return true;
        }
        boolean write = !(input instanceof Get || input instanceof Range || input instanceof Grant);
        if (write) {
          history.add(id, call, History.NEVER, input, Output.ambiguous());
        }
        return false;
      }
    }

    private void learn(Input input, Output output) {
      if (input instanceof Grant) {
        lease = output.lease();
      } else if (input instanceof Revoke) {
        lease = 0;
      }
      for (KV kv : output.kvs()) {
        lastModRevision.put(kv.key(), kv.modRevision());
      }
      if (input instanceof Get g && output.kvs().isEmpty()) {
        lastModRevision.put(g.key(), 0L);
      }
    }

    private Output send(ManagedChannel channel, Input input) {
      KVGrpc.KVBlockingStub kv =
          KVGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (input instanceof Get g) {
        RangeResponse r = kv.range(RangeRequest.newBuilder().setKey(bytes(g.key())).build());
        return Output.read(r.getHeader().getRevision(), kvs(r));
      }
      if (input instanceof Range) {
        RangeResponse r =
            kv.range(
                RangeRequest.newBuilder()
                    .setKey(bytes(prefix))
                    .setRangeEnd(rangeEnd(prefix))
                    .build());
        return Output.read(r.getHeader().getRevision(), kvs(r));
      }
      if (input instanceof Put p) {
        return Output.write(
            kv.put(
                    PutRequest.newBuilder()
                        .setKey(bytes(p.key()))
                        .setValue(bytes(p.value()))
                        .setLease(p.lease())
                        .build())
                .getHeader()
                .getRevision());
      }
      if (input instanceof Delete d) {
        var r = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bytes(d.key())).build());
        return Output.deleted(r.getHeader().getRevision(), r.getDeleted());
      }
      if (input instanceof Txn t) {
        TxnResponse r =
            kv.txn(
                TxnRequest.newBuilder()
                    .addCompare(
                        Compare.newBuilder()
                            .setKey(bytes(t.key()))
                            .setTarget(Compare.CompareTarget.MOD)
                            .setResult(Compare.CompareResult.EQUAL)
                            .setModRevision(t.expectedModRevision()))
                    .addSuccess(
                        RequestOp.newBuilder()
                            .setRequestPut(
                                PutRequest.newBuilder()
                                    .setKey(bytes(t.key()))
                                    .setValue(bytes(t.value()))))
                    .addFailure(
                        RequestOp.newBuilder()
                            .setRequestRange(RangeRequest.newBuilder().setKey(bytes(t.key()))))
                    .build());
        List<KV> elseKvs = r.getSucceeded() ? List.of() : kvs(r.getResponses(0).getResponseRange());
        return Output.txn(r.getHeader().getRevision(), r.getSucceeded(), elseKvs);
      }
      LeaseGrpc.LeaseBlockingStub leases =
          LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      if (input instanceof Grant g) {
        return Output.granted(
            leases.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(g.ttl()).build()).getID());
      }
      Revoke r = (Revoke) input;
      leases.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(r.lease()).build());
      return Output.revoked();
    }

    private List<KV> kvs(RangeResponse r) {
      return r.getKvsList().stream().map(Recorder::kv).toList();
    }

    private void pause(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
      }
    }
  }

  private static boolean isNoSuchLease(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.NOT_FOUND
        && String.valueOf(e.getStatus().getDescription()).contains("requested lease not found");
  }
}
