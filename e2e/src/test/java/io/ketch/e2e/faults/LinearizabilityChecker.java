package io.ketch.e2e.faults;

import io.ketch.e2e.faults.EtcdModel.State;
import io.ketch.e2e.faults.History.Op;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Is a history linearizable against {@link EtcdModel}? The Wing-Gong search with Lowe's
 * memoization, as porcupine does it: walk the events in time order; at an invocation, try to
 * linearize that op now (the model accepts its output, and the pair (linearized set, state) is
 * new); at a completion whose op is not yet linearized, undo the last choice. An op with an unknown
 * outcome completes at infinity, so it may be linearized anywhere after its invocation, or at the
 * very end, where it changes nothing anyone saw.
 *
 * <p>No P-compositionality: every write bumps the one revision that all responses carry, so per-key
 * sub-histories are not independent and checking them apart would be unsound.
 *
 * <p>A search that runs out of its time budget answers {@link Verdict#UNKNOWN}, never a pass.
 */
final class LinearizabilityChecker {

  enum Verdict {
    LINEARIZABLE,
    VIOLATION,
    UNKNOWN
  }

  /**
   * The verdict; for a violation, the longest linearizable prefix found and the op that could not
   * be placed after it (the place to start reading the history).
   */
  record Result(Verdict verdict, String explanation) {}

  private LinearizabilityChecker() {}

  static Result check(List<Op> ops, long initialRevision, Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    Node head = link(ops);
    State state = State.initial(initialRevision);
    BitSet linearized = new BitSet();
    Set<Memo> seen = new HashSet<>();
    Deque<Choice> choices = new ArrayDeque<>();
    int deepest = -1;
    Op stuck = null;
    List<Op> deepestPrefix = List.of();
    long steps = 0;
    Node entry = head.next;
    while (head.next != null) {
      if ((++steps & 0xff) == 0 && System.nanoTime() > deadline) {
        return new Result(
            Verdict.UNKNOWN,
            "no answer within " + budget + " (" + linearized.cardinality() + " ops placed)");
      }
      if (entry.call) {
        Optional<State> next = EtcdModel.step(state, entry.op.input(), entry.op.output());
        if (next.isPresent()) {
          BitSet withOp = (BitSet) linearized.clone();
          withOp.set(entry.op.id());
          if (seen.add(new Memo(withOp, next.get()))) {
            choices.push(new Choice(entry, state));
            state = next.get();
            linearized = withOp;
            entry.lift();
            entry = head.next;
            continue;
          }
        }
        entry = entry.next;
      } else {
        if (choices.size() > deepest) {
          deepest = choices.size();
          stuck = entry.op;
          deepestPrefix = choices.stream().map(c -> c.call.op).toList();
        }
        if (choices.isEmpty()) {
          return new Result(Verdict.VIOLATION, explain(deepestPrefix, stuck));
        }
        Choice last = choices.pop();
        state = last.before;
        linearized = (BitSet) linearized.clone();
        linearized.clear(last.call.op.id());
        last.call.unlift();
        entry = last.call.next;
      }
    }
    return new Result(Verdict.LINEARIZABLE, "");
  }

  private static String explain(List<Op> prefix, Op stuck) {
    List<Op> placed = new ArrayList<>(prefix);
    Collections.reverse(placed);
    int from = Math.max(0, placed.size() - 10);
    StringBuilder b = new StringBuilder();
    b.append("longest linearizable prefix: ").append(placed.size()).append(" ops, ending with\n");
    placed.subList(from, placed.size()).forEach(op -> b.append("  ").append(op).append('\n'));
    b.append("then no op fits before this one completes:\n  ").append(stuck);
    return b.toString();
  }

  private record Memo(BitSet linearized, State state) {}

  private record Choice(Node call, State before) {}

  /**
   * An event in a doubly linked list that ops are lifted out of and put back into (dancing links).
   */
  private static final class Node {
    final Op op;
    final boolean call;
    Node match;
    Node prev;
    Node next;

    Node(Op op, boolean call) {
      this.op = op;
      this.call = call;
    }

    /** Takes this call and its completion out of the list. */
    void lift() {
      prev.next = next;
      if (next != null) {
        next.prev = prev;
      }
      match.prev.next = match.next;
      if (match.next != null) {
        match.next.prev = match.prev;
      }
    }

    /** Puts them back, in reverse order. */
    void unlift() {
      match.prev.next = match;
      if (match.next != null) {
        match.next.prev = match;
      }
      prev.next = this;
      if (next != null) {
        next.prev = this;
      }
    }
  }

  /**
   * The events in time order. At equal times an invocation sorts before a completion: the two ops
   * count as concurrent, which can only allow more orders (no false violation).
   */
  private static Node link(List<Op> ops) {
    List<Node> events = new ArrayList<>();
    for (Op op : ops) {
      Node call = new Node(op, true);
      Node ret = new Node(op, false);
      call.match = ret;
      events.add(call);
      events.add(ret);
    }
    events.sort(
        Comparator.comparingLong((Node n) -> n.call ? n.op.call() : n.op.ret())
            .thenComparing(n -> n.call ? 0 : 1));
    Node head = new Node(null, false);
    Node last = head;
    for (Node n : events) {
      last.next = n;
      n.prev = last;
      last = n;
    }
    return head;
  }
}
