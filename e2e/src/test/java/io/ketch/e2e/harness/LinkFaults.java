package io.ketch.e2e.harness;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What happens to peer bytes on each ordered pair of members (from, to), enforced by the {@link
 * PeerProxy}s of a {@link Cluster}. The direction is the bytes' direction between the two
 * processes, whichever of them opened the connection: etcd's Raft streams are opened by the
 * receiver, so a one-way fault must act on bytes, not on connections.
 *
 * <p>A dropped link holds its bytes back (the proxy stops reading, so the sender's buffers fill)
 * until healed, as a real partition does while TCP retransmits; nothing is lost or reordered within
 * a connection, so streams stay well-formed. {@link #cut} closes the pair's connections at once.
 */
public final class LinkFaults {

  /** What a link does to bytes going from one member to another. */
  record Rule(boolean drop, Duration delay) {
    static final Rule NONE = new Rule(false, Duration.ZERO);
  }

  private record Pair(String from, String to) {}

  private final Map<Pair, Rule> rules = new ConcurrentHashMap<>();
  private final List<PeerProxy> proxies;

  LinkFaults(List<PeerProxy> proxies) {
    this.proxies = proxies;
  }

  /** Bytes from {@code from} to {@code to} are held back until {@link #heal}. */
  public void drop(Member from, Member to) {
    update(from, to, new Rule(true, rule(from, to).delay()));
  }

  /** Bytes from {@code from} to {@code to} arrive {@code delay} late. */
  public void delay(Member from, Member to, Duration delay) {
    update(from, to, new Rule(rule(from, to).drop(), delay));
  }

  /** Both directions between every member of {@code side} and every member of {@code other}. */
  public void partition(Collection<? extends Member> side, Collection<? extends Member> other) {
    for (Member a : side) {
      for (Member b : other) {
        drop(a, b);
        drop(b, a);
      }
    }
  }

  /** Closes every connection between the two members, in both orientations. */
  public void cut(Member a, Member b) {
    for (PeerProxy proxy : proxies) {
      proxy.cut(a.name(), b.name());
    }
  }

  /** Every link delivers again, at once. */
  public void heal() {
    rules.clear();
    synchronized (this) {
      notifyAll();
    }
  }

  Rule rule(Member from, Member to) {
    return rule(from.name(), to.name());
  }

  Rule rule(String from, String to) {
    return rules.getOrDefault(new Pair(from, to), Rule.NONE);
  }

  /** Waits while the link drops, or until {@code maxWait} passes. */
  synchronized void awaitChange(Duration maxWait) throws InterruptedException {
    wait(Math.max(1, maxWait.toMillis()));
  }

  private void update(Member from, Member to, Rule rule) {
    rules.put(new Pair(from.name(), to.name()), rule);
    synchronized (this) {
      notifyAll();
    }
  }
}
