package io.ketch.e2e.faults;

import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.ketch.e2e.faults.History.Delete;
import io.ketch.e2e.faults.History.KV;
import io.ketch.e2e.faults.History.Op;
import io.ketch.e2e.faults.History.Put;
import io.ketch.e2e.faults.History.Txn;
import io.ketch.e2e.harness.Member;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Watches over the same runs as the {@link Recorder}, and etcd's watch guarantees checked on what
 * they delivered: ordered, unique, atomic per revision, reliable (no revision missing against the
 * history, except where etcd said it compacted it), prev_kv right, progress notifications never
 * ahead of the events, and resumable (a watch reopened from any revision still in the window
 * delivers the same events).
 */
final class WatchChecker {

  /**
   * How a progress notification ahead of the events is reported. Debian's etcd 3.4.23 has this bug
   * (etcd-io/etcd#15220: a requested progress notification is not ordered with the stream; fixed in
   * 3.4.24 by #15237), so runs against it count these apart instead of failing.
   */
  static final String PROGRESS_AHEAD = "progress ahead of events";

  private WatchChecker() {}

  /** One event; {@code prev} null when the watch sent no prev_kv. */
  record Event(boolean put, KV kv, KV prev) {}

  /** What one watch response carried, in the order they came. */
  sealed interface Delivery {}

  record Events(List<Event> events) implements Delivery {}

  record Progress(long revision) implements Delivery {}

  /** Etcd cancelled the watch as compacted: revisions {@code from} to {@code compacted}-1 lost. */
  record Gap(long from, long compacted) implements Delivery {}

  /**
   * A watch on every key of the run (under its prefix), with prev_kv, from {@code start}: it
   * reopens itself on a member that is up after any error, from the revision after the last one
   * delivered (so a run checks resumption too), and asks for progress every few hundred ms.
   */
  static final class Stream implements AutoCloseable {
    private final Supplier<List<Member>> up;
    private final String prefix;
    private final Random random;
    private final List<Delivery> deliveries = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, ManagedChannel> channels = new HashMap<>();
    private long next;
    private StreamObserver<WatchRequest> requests;
    private boolean closed;
    private int generation;

    Stream(Supplier<List<Member>> up, String prefix, long start, long seed) {
      this.up = up;
      this.prefix = prefix;
      this.next = start;
      this.random = new Random(seed);
      open();
      timer.scheduleWithFixedDelay(this::requestProgress, 300, 300, TimeUnit.MILLISECONDS);
    }

    synchronized List<Delivery> deliveries() {
      return List.copyOf(deliveries);
    }

    /** Waits until every revision up to {@code revision} has been delivered (or declared lost). */
    void awaitRevision(long revision, Duration timeout) {
      await("watch delivered revision " + revision)
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> nextRevision() > revision);
    }

    synchronized long nextRevision() {
      return next;
    }

    private synchronized void open() {
      if (closed) {
        return;
      }
      List<Member> members = up.get();
      if (members.isEmpty()) {
        reopenLater();
        return;
      }
      Member member = members.get(random.nextInt(members.size()));
      ManagedChannel channel =
          channels.computeIfAbsent(
              member.endpoint(), e -> ManagedChannelBuilder.forTarget(e).usePlaintext().build());
      int mine = ++generation;
      requests = WatchGrpc.newStub(channel).watch(new Observer(mine));
      requests.onNext(
          WatchRequest.newBuilder()
              .setCreateRequest(
                  WatchCreateRequest.newBuilder()
                      .setKey(Recorder.bytes(prefix))
                      .setRangeEnd(Recorder.rangeEnd(prefix))
                      .setStartRevision(next)
                      .setPrevKv(true))
              .build());
    }

    private synchronized void requestProgress() {
      if (requests != null && !closed) {
        try {
          requests.onNext(
              WatchRequest.newBuilder()
                  .setProgressRequest(WatchProgressRequest.getDefaultInstance())
                  .build());
        } catch (RuntimeException e) {
          // the stream broke: the observer reopens it
        }
      }
    }

    private void reopenLater() {
      if (!timer.isShutdown()) {
        timer.schedule(this::open, 200, TimeUnit.MILLISECONDS);
      }
    }

    private final class Observer implements StreamObserver<WatchResponse> {
      private final int generation;

      Observer(int generation) {
        this.generation = generation;
      }

      @Override
      public void onNext(WatchResponse r) {
        synchronized (Stream.this) {
          if (generation != Stream.this.generation || closed) {
            return;
          }
          if (r.getCanceled()) {
            if (r.getCompactRevision() > 0) {
              deliveries.add(new Gap(next, r.getCompactRevision()));
              next = Math.max(next, r.getCompactRevision());
            }
            abandon();
            return;
          }
          if (r.getEventsCount() > 0) {
            List<Event> events = new ArrayList<>();
            for (io.etcd.jetcd.api.Event e : r.getEventsList()) {
              events.add(
                  new Event(
                      e.getType() == io.etcd.jetcd.api.Event.EventType.PUT,
                      Recorder.kv(e.getKv()),
                      e.hasPrevKv() ? Recorder.kv(e.getPrevKv()) : null));
            }
            deliveries.add(new Events(events));
            next = Math.max(next, events.get(events.size() - 1).kv().modRevision() + 1);
          } else if (!r.getCreated()) {
            deliveries.add(new Progress(r.getHeader().getRevision()));
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        abandon();
      }

      @Override
      public void onCompleted() {
        abandon();
      }

      private void abandon() {
        synchronized (Stream.this) {
          if (generation != Stream.this.generation) {
            return;
          }
          try {
            requests.onCompleted();
          } catch (RuntimeException e) {
            // already broken
          }
          requests = null;
          Stream.this.generation++;
        }
        reopenLater();
      }
    }

    @Override
    public synchronized void close() {
      closed = true;
      timer.shutdownNow();
      if (requests != null) {
        try {
          requests.onCompleted();
        } catch (RuntimeException e) {
          // already broken
        }
      }
      channels.values().forEach(ManagedChannel::shutdownNow);
    }
  }

  /**
   * Every guarantee on one stream that started at {@code start} and was awaited up to {@code last};
   * the violations found (none: all held).
   */
  static List<String> check(List<Delivery> deliveries, List<Op> history, long start, long last) {
    List<String> violations = new ArrayList<>();
    Map<Long, List<Event>> byRevision = new HashMap<>();
    Set<Long> lost = new HashSet<>();
    long expected = start;
    long lastProgress = 0;
    Map<String, KV> state = new HashMap<>();
    Set<String> known = new HashSet<>();
    boolean allKnown = true;
    for (Delivery d : deliveries) {
      if (d instanceof Progress p) {
        // behind what was delivered is no lie (a lagging member); ahead is checked below
        lastProgress = Math.max(lastProgress, p.revision());
        continue;
      }
      if (d instanceof Gap g) {
        if (g.from() != expected) {
          violations.add("compaction gap from " + g.from() + " but next expected " + expected);
        }
        for (long r = g.from(); r < g.compacted(); r++) {
          lost.add(r);
        }
        expected = Math.max(expected, g.compacted());
        allKnown = false;
        known.clear();
        continue;
      }
      List<Event> events = ((Events) d).events();
      long revision = -1;
      Set<String> keysAtRevision = new HashSet<>();
      for (Event e : events) {
        long r = e.kv().modRevision();
        if (r != revision) {
          if (r <= lastProgress) {
            violations.add(
                PROGRESS_AHEAD
                    + ": event at "
                    + r
                    + " after a progress notification at "
                    + lastProgress);
          }
          if (r != expected) {
            violations.add(
                (r < expected
                        ? "out of order or duplicate"
                        : "missing revisions " + expected + ".." + (r - 1) + " before")
                    + " event at "
                    + r);
          }
          if (byRevision.containsKey(r)) {
            violations.add("revision " + r + " split across responses or repeated");
          }
          revision = r;
          expected = Math.max(expected, r + 1);
          keysAtRevision.clear();
        }
        if (!keysAtRevision.add(e.kv().key())) {
          violations.add("key " + e.kv().key() + " twice at revision " + r);
        }
        byRevision.computeIfAbsent(r, x -> new ArrayList<>()).add(e);
        checkPrevKv(e, state, allKnown || known.contains(e.kv().key()), violations);
        known.add(e.kv().key());
        if (e.put()) {
          state.put(e.kv().key(), e.kv());
        } else {
          state.remove(e.kv().key());
        }
      }
    }
    if (expected <= last) {
      violations.add("the watch stopped at " + (expected - 1) + ", the history reached " + last);
    }
    checkAgainstHistory(byRevision, lost, history, violations);
    return violations;
  }

  private static void checkPrevKv(Event e, Map<String, KV> state, boolean known, List<String> v) {
    KV kv = e.kv();
    if (e.put() && e.prev() == null && kv.version() != 1) {
      v.add(
          "put of "
              + kv.key()
              + " at "
              + kv.modRevision()
              + " without prev_kv, version "
              + kv.version());
    }
    if (!known) {
      return;
    }
    KV expected = state.get(kv.key());
    if (!Objects.equals(expected, e.prev())) {
      v.add(
          "prev_kv of "
              + kv.key()
              + " at "
              + kv.modRevision()
              + ": "
              + e.prev()
              + ", expected "
              + expected);
    }
    if (e.put()) {
      long create = expected == null ? kv.modRevision() : expected.createRevision();
      long version = expected == null ? 1 : expected.version() + 1;
      if (kv.createRevision() != create || kv.version() != version) {
        v.add(
            "put of "
                + kv.key()
                + " at "
                + kv.modRevision()
                + ": create "
                + kv.createRevision()
                + " version "
                + kv.version()
                + ", expected "
                + create
                + " and "
                + version);
      }
    }
  }

  /** Each acknowledged write appears at its revision; each event comes from a write issued. */
  private static void checkAgainstHistory(
      Map<Long, List<Event>> byRevision, Set<Long> lost, List<Op> history, List<String> v) {
    Set<String> written = new HashSet<>();
    for (Op op : history) {
      String key = null;
      String value = null;
      if (op.input() instanceof Put p) {
        key = p.key();
        value = p.value();
      } else if (op.input() instanceof Txn t) {
        key = t.key();
        value = t.value();
      }
      if (key != null) {
        written.add(key + "=" + value);
      }
      if (op.output().unknown() || op.output().leaseNotFound()) {
        continue;
      }
      long revision = op.output().revision();
      if (lost.contains(revision) || (op.input() instanceof Txn && !op.output().succeeded())) {
        continue;
      }
      List<Event> events = byRevision.getOrDefault(revision, List.of());
      if (key != null) {
        String k = key;
        String val = value;
        if (events.stream()
            .noneMatch(e -> e.put() && e.kv().key().equals(k) && e.kv().value().equals(val))) {
          v.add("acknowledged " + op + " not delivered at its revision: " + events);
        }
      } else if (op.input() instanceof Delete d && op.output().deleted() == 1) {
        if (events.stream().noneMatch(e -> !e.put() && e.kv().key().equals(d.key()))) {
          v.add("acknowledged " + op + " not delivered at its revision: " + events);
        }
      }
    }
    Set<String> delivered = new HashSet<>();
    for (List<Event> events : byRevision.values()) {
      for (Event e : events) {
        String write = e.kv().key() + "=" + e.kv().value();
        if (e.put() && !written.contains(write)) {
          v.add("event no client caused: " + e);
        }
        if (e.put() && !delivered.add(write)) {
          v.add("a put took effect twice (every put writes a value of its own): " + e);
        }
      }
    }
  }

  /**
   * The history with unknown puts and txns resolved by the watch, when it saw every revision (no
   * compaction gap): every put writes a value of its own, so the event carrying it gives the
   * revision it took effect at, and one no event carries never took effect. Unknown deletes of a
   * key with no delete event that no acknowledged op explains are dropped too (they changed
   * nothing). Without this, each unknown op may sit anywhere after its invocation and a few dozen
   * of them make the search exponential. Sound: the watch is itself checked against the history
   * (above), a missing or invented effect fails the linearizability check, and an effect seen twice
   * is a violation here.
   */
  static List<Op> resolveUnknownWrites(List<Op> ops, List<Delivery> deliveries) {
    if (deliveries.stream().anyMatch(d -> d instanceof Gap)) {
      return ops;
    }
    Map<String, Long> putAt = new HashMap<>();
    Set<Long> claimed = new HashSet<>();
    for (Op op : ops) {
      History.Output out = op.output();
      boolean wrote =
          op.input() instanceof Put && !out.leaseNotFound()
              || op.input() instanceof Txn && out.succeeded()
              || op.input() instanceof Delete && out.deleted() > 0;
      if (!out.unknown() && wrote) {
        claimed.add(out.revision()); // (a revoke's revision is not known: its deletes stay open)
      }
    }
    Set<String> unexplainedDeletes = new HashSet<>();
    for (Event e : eventsFrom(deliveries, 0)) {
      if (e.put()) {
        putAt.merge(e.kv().key() + "=" + e.kv().value(), e.kv().modRevision(), (a, b) -> -1L);
      } else if (!claimed.contains(e.kv().modRevision())) {
        unexplainedDeletes.add(e.kv().key());
      }
    }
    List<Op> resolved = new ArrayList<>();
    for (Op op : ops) {
      if (!op.output().unknown()) {
        resolved.add(op);
        continue;
      }
      String write =
          op.input() instanceof Put p
              ? p.key() + "=" + p.value()
              : op.input() instanceof Txn t ? t.key() + "=" + t.value() : null;
      if (write != null) {
        Long revision = putAt.get(write);
        if (revision == null) {
          continue; // never took effect
        }
        if (revision > 0) {
          History.Output out =
              op.input() instanceof Put
                  ? History.Output.write(revision)
                  : History.Output.txn(revision, true, List.of());
          resolved.add(new Op(op.id(), op.client(), op.call(), op.ret(), op.input(), out));
          continue;
        }
      } else if (op.input() instanceof Delete d && !unexplainedDeletes.contains(d.key())) {
        continue; // deleted nothing
      }
      resolved.add(op);
    }
    return resolved;
  }

  /** The events from {@code from} on, flattened: what a watch reopened there must deliver. */
  static List<Event> eventsFrom(List<Delivery> deliveries, long from) {
    List<Event> events = new ArrayList<>();
    for (Delivery d : deliveries) {
      if (d instanceof Events e) {
        e.events().stream().filter(x -> x.kv().modRevision() >= from).forEach(events::add);
      }
    }
    return events;
  }
}
