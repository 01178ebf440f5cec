package io.ketch.e2e.faults;

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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * etcd's key-value store as a sequential specification: a revision that every write bumps by one (a
 * put, a successful txn, a delete or a lease revoke that removed keys), keys with their create and
 * mod revisions, versions and leases, and the live leases. A response must match the model exactly,
 * revisions included. An unknown output accepts any response: only the effect counts.
 *
 * <p>States are immutable values (records), so the checker can memoize them.
 */
final class EtcdModel {

  private EtcdModel() {}

  /** The store after some prefix of a linearization. */
  record State(long revision, Map<String, KV> kvs, Set<Long> leases) {
    static State initial(long revision) {
      return new State(revision, Map.of(), Set.of());
    }
  }

  /** The state after applying {@code input}, or empty if {@code output} cannot follow it. */
  static Optional<State> step(State s, Input input, Output out) {
    boolean any = out.unknown();
    if (input instanceof Get g) {
      return expect(
          any || (out.revision() == s.revision() && out.kvs().equals(present(s, g.key()))), s);
    }
    if (input instanceof Range) {
      return expect(
          any
              || (out.revision() == s.revision()
                  && out.kvs().equals(List.copyOf(s.kvs().values()))),
          s);
    }
    if (input instanceof Put p) {
      if (p.lease() != 0 && !s.leases().contains(p.lease())) {
        return expect(any || out.leaseNotFound(), s);
      }
      State next = put(s, p.key(), p.value(), p.lease());
      return expect(any || (!out.leaseNotFound() && out.revision() == next.revision()), next);
    }
    if (input instanceof Delete d) {
      if (!s.kvs().containsKey(d.key())) {
        return expect(any || (out.deleted() == 0 && out.revision() == s.revision()), s);
      }
      State next = without(s, Set.of(d.key()));
      return expect(any || (out.deleted() == 1 && out.revision() == next.revision()), next);
    }
    if (input instanceof Txn t) {
      KV current = s.kvs().get(t.key());
      long modRevision = current == null ? 0 : current.modRevision();
      if (modRevision == t.expectedModRevision()) {
        State next = put(s, t.key(), t.value(), 0);
        return expect(any || (out.succeeded() && out.revision() == next.revision()), next);
      }
      return expect(
          any
              || (!out.succeeded()
                  && out.revision() == s.revision()
                  && out.kvs().equals(present(s, t.key()))),
          s);
    }
    if (input instanceof Grant) {
      // an unknown grant is left out of histories: nobody knows its id to use it
      if (any || out.lease() == 0 || s.leases().contains(out.lease())) {
        return Optional.empty();
      }
      Set<Long> leases = new TreeSet<>(s.leases());
      leases.add(out.lease());
      return Optional.of(new State(s.revision(), s.kvs(), Set.copyOf(leases)));
    }
    Revoke r = (Revoke) input;
    if (!s.leases().contains(r.lease())) {
      return expect(any || out.leaseNotFound(), s);
    }
    Set<String> attached = new TreeSet<>();
    for (KV kv : s.kvs().values()) {
      if (kv.lease() == r.lease()) {
        attached.add(kv.key());
      }
    }
    State after = attached.isEmpty() ? s : without(s, attached);
    Set<Long> leases = new TreeSet<>(s.leases());
    leases.remove(r.lease());
    return expect(
        any || !out.leaseNotFound(), new State(after.revision(), after.kvs(), Set.copyOf(leases)));
  }

  private static Optional<State> expect(boolean legal, State next) {
    return legal ? Optional.of(next) : Optional.empty();
  }

  private static List<KV> present(State s, String key) {
    KV kv = s.kvs().get(key);
    return kv == null ? List.of() : List.of(kv);
  }

  private static State put(State s, String key, String value, long lease) {
    long revision = s.revision() + 1;
    KV prev = s.kvs().get(key);
    KV kv =
        new KV(
            key,
            value,
            prev == null ? revision : prev.createRevision(),
            revision,
            prev == null ? 1 : prev.version() + 1,
            lease);
    TreeMap<String, KV> kvs = new TreeMap<>(s.kvs());
    kvs.put(key, kv);
    return new State(revision, sorted(kvs), s.leases());
  }

  private static State without(State s, Set<String> keys) {
    TreeMap<String, KV> kvs = new TreeMap<>(s.kvs());
    keys.forEach(kvs::remove);
    return new State(s.revision() + 1, sorted(kvs), s.leases());
  }

  /** An unmodifiable map that keeps key order (Map.copyOf would not). */
  private static Map<String, KV> sorted(TreeMap<String, KV> kvs) {
    return Collections.unmodifiableSortedMap(kvs);
  }
}
