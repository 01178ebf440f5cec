package io.ketch.e2e.faults;

import static io.ketch.e2e.faults.History.NEVER;
import static org.assertj.core.api.Assertions.assertThat;

import io.ketch.e2e.faults.History.Delete;
import io.ketch.e2e.faults.History.Get;
import io.ketch.e2e.faults.History.Grant;
import io.ketch.e2e.faults.History.KV;
import io.ketch.e2e.faults.History.Output;
import io.ketch.e2e.faults.History.Put;
import io.ketch.e2e.faults.History.Range;
import io.ketch.e2e.faults.History.Revoke;
import io.ketch.e2e.faults.History.Txn;
import io.ketch.e2e.faults.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-written histories: legal ones pass, each kind of anomaly is caught. */
class LinearizabilityCheckerTest {

  private final History history = new History();

  private static KV kv(String key, String value, long create, long mod, long version) {
    return new KV(key, value, create, mod, version, 0);
  }

  private Verdict verdict() {
    return LinearizabilityChecker.check(history.ops(), 1, Duration.ofSeconds(10)).verdict();
  }

  @Test
  void sequentialWritesAndReadsWithTheirRevisionsAreLinearizable() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(0, 2, 3, new Get("a"), Output.read(2, List.of(kv("a", "1", 2, 2, 1))));
    history.add(0, 4, 5, new Put("a", "2", 0), Output.write(3));
    history.add(1, 6, 7, new Range(), Output.read(3, List.of(kv("a", "2", 2, 3, 2))));
    history.add(1, 8, 9, new Delete("a"), Output.deleted(4, 1));
    history.add(1, 10, 11, new Delete("a"), Output.deleted(4, 0));
    history.add(0, 12, 13, new Get("a"), Output.read(4, List.of()));
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void concurrentOpsMayTakeEffectInEitherOrder() {
    history.add(0, 0, 10, new Put("a", "1", 0), Output.write(3));
    history.add(1, 1, 9, new Put("a", "2", 0), Output.write(2));
    history.add(2, 2, 8, new Get("a"), Output.read(2, List.of(kv("a", "2", 2, 2, 1))));
    history.add(2, 11, 12, new Get("a"), Output.read(3, List.of(kv("a", "1", 2, 3, 2))));
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void aStaleReadIsCaught() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(1, 2, 3, new Get("a"), Output.read(1, List.of()));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void aLostWriteIsCaught() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(0, 2, 3, new Put("b", "1", 0), Output.write(3));
    history.add(1, 4, 5, new Range(), Output.read(3, List.of(kv("b", "1", 3, 3, 1))));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void aRevisionGoingBackwardsIsCaught() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(0, 2, 3, new Put("a", "2", 0), Output.write(3));
    history.add(1, 4, 5, new Get("b"), Output.read(3, List.of()));
    history.add(2, 6, 7, new Get("b"), Output.read(2, List.of()));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void aResponseRevisionThatDoesNotMatchTheWritesIsCaught() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(0, 2, 3, new Put("b", "1", 0), Output.write(2));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void aDuplicateEffectIsCaught() {
    // the put was applied twice (a retried proposal): version 2, and the revision jumped by two
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(1, 2, 3, new Get("a"), Output.read(3, List.of(kv("a", "1", 2, 3, 2))));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void anUnknownWriteMayHaveTakenEffectLateOrNotAtAll() {
    history.add(0, 0, NEVER, new Put("a", "1", 0), Output.ambiguous());
    history.add(1, 1, 2, new Get("a"), Output.read(1, List.of()));
    history.add(1, 3, 4, new Get("a"), Output.read(2, List.of(kv("a", "1", 2, 2, 1))));
    history.add(0, 5, NEVER, new Put("a", "lost", 0), Output.ambiguous());
    history.add(1, 6, 7, new Get("a"), Output.read(2, List.of(kv("a", "1", 2, 2, 1))));
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void anUnknownWriteCannotTakeEffectBeforeItWasInvoked() {
    history.add(1, 0, 1, new Get("a"), Output.read(2, List.of(kv("a", "1", 2, 2, 1))));
    history.add(0, 2, NEVER, new Put("a", "1", 0), Output.ambiguous());
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void compareAndSwapTakesTheBranchTheModRevisionSays() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(0, 2, 3, new Txn("a", 2, "2"), Output.txn(3, true, List.of()));
    history.add(
        1, 4, 5, new Txn("a", 2, "3"), Output.txn(3, false, List.of(kv("a", "2", 2, 3, 2))));
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);

    history.add(1, 6, 7, new Txn("a", 2, "4"), Output.txn(4, true, List.of()));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void revokingALeaseDeletesItsKeysInOneRevision() {
    history.add(0, 0, 1, new Grant(60), Output.granted(7));
    history.add(0, 2, 3, new Put("a", "1", 7), Output.write(2));
    history.add(0, 4, 5, new Put("b", "1", 7), Output.write(3));
    history.add(0, 6, 7, new Revoke(7), Output.revoked());
    history.add(1, 8, 9, new Range(), Output.read(4, List.of()));
    history.add(1, 10, 11, new Put("c", "1", 7), Output.noSuchLease());
    history.add(1, 12, 13, new Revoke(7), Output.noSuchLease());
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);

    history.add(1, 14, 15, new Put("c", "2", 7), Output.write(5));
    assertThat(verdict()).isEqualTo(Verdict.VIOLATION);
  }

  @Test
  void aViolationNamesTheOpThatCannotBePlaced() {
    history.add(0, 0, 1, new Put("a", "1", 0), Output.write(2));
    history.add(1, 2, 3, new Get("a"), Output.read(1, List.of()));
    LinearizabilityChecker.Result result =
        LinearizabilityChecker.check(history.ops(), 1, Duration.ofSeconds(10));
    assertThat(result.explanation()).contains("#1 c1").contains("1 ops");
  }

  @Test
  void aSearchOutOfTimeAnswersUnknownNeverAPass() {
    for (int i = 0; i < 3000; i++) {
      history.add(i % 8, i, 100_000 + i, new Get("a"), Output.read(1, List.of()));
    }
    assertThat(LinearizabilityChecker.check(history.ops(), 1, Duration.ZERO).verdict())
        .isEqualTo(Verdict.UNKNOWN);
    assertThat(verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }
}
