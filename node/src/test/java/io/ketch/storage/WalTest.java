package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.core.Jvm;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {

  @TempDir Path tmp;
  final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L);
  final AtomicReference<Throwable> failed = new AtomicReference<>();

  Wal open(Path dir) throws IOException {
    return Wal.open(dir, WalFixtures.testOptions(clock), failed::set);
  }

  @Test
  void appendSyncReopenGivesTheSameStateBack() throws IOException {
    Path dir = tmp.resolve("wal");
    HardState hs = HardState.newBuilder().setTerm(3).setVote(2).setCommit(7).build();
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(0, null, false));
      wal.append(WalFixtures.entries(1, 10, 3), hs);
      wal.sync();
    }
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(11, null, false));
      Wal.Replayed replayed = wal.replay(0);
      assertThat(replayed.hardState()).isEqualTo(hs);
      assertThat(replayed.entries()).isEqualTo(WalFixtures.entries(1, 10, 3));
      assertThat(wal.replay(4).entries()).isEqualTo(WalFixtures.entries(5, 10, 3));
    }
  }

  @Test
  void aCleanReopenNeverRepairsWhateverChronicleWroteAfterTheRecords() throws IOException {
    Path dir = tmp.resolve("wal");
    // Enough records for several of Chronicle's index arrays in one file, then a roll.
    for (long from = 1; from <= 3_001; from += 1_000) {
      try (Wal wal = open(dir)) {
        assertThat(wal.recovery().repaired()).as("reopen before %d", from).isFalse();
        for (long i = from; i < from + 1_000; i += 10) {
          wal.append(WalFixtures.entries(i, i + 9, 1), HardState.newBuilder().setCommit(i).build());
          wal.sync();
        }
      }
      clock.advanceMillis(from == 2_001 ? 1_000 : 0);
    }
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(4_400, null, false));
      assertThat(wal.replay(0).entries()).hasSize(4_000);
    }
  }

  @Test
  void aLaterRecordForAnIndexReplacesEverythingFromThere() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = open(dir)) {
      wal.append(WalFixtures.entries(1, 10, 1), null);
      wal.sync();
      wal.append(WalFixtures.entries(5, 7, 2), HardState.newBuilder().setTerm(2).build());
      wal.sync();
    }
    try (Wal wal = open(dir)) {
      List<Entry> expected = new ArrayList<>(WalFixtures.entries(1, 4, 1));
      expected.addAll(WalFixtures.entries(5, 7, 2));
      assertThat(wal.replay(0).entries()).isEqualTo(expected);
      assertThat(wal.replay(6).entries()).isEqualTo(WalFixtures.entries(7, 7, 2));
    }
  }

  @Test
  void aLogResetDiscardsEarlierEntriesAndNeedsItsSnapshot() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = open(dir)) {
      wal.append(WalFixtures.entries(1, 10, 1), null);
      wal.appendLogReset(20, 3);
      wal.append(WalFixtures.entries(21, 22, 3), null);
      wal.sync();
      assertThat(wal.replay(20).entries()).isEqualTo(WalFixtures.entries(21, 22, 3));
      assertThatThrownBy(() -> wal.replay(5))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("snapshot at index 20");
    }
  }

  @Test
  void releaseBeforeDeletesOnlyWholeOlderFilesAndKeepsTheHardState() throws IOException {
    Path dir = tmp.resolve("wal");
    HardState hs = HardState.newBuilder().setTerm(1).setVote(1).setCommit(10).build();
    try (Wal wal = open(dir)) {
      wal.append(WalFixtures.entries(1, 10, 1), hs); // file A
      wal.sync();
      clock.advanceMillis(1_000);
      wal.append(WalFixtures.entries(11, 20, 1), null); // file B
      wal.sync();
      clock.advanceMillis(1_000);
      wal.append(WalFixtures.entries(21, 30, 1), null); // file C
      wal.sync();
      List<Path> files = wal.rollFiles();
      assertThat(files).hasSize(3).allMatch(Files::exists);

      wal.releaseBefore(15); // B holds 20 > 15: only A goes
      assertThat(files.get(0)).doesNotExist();
      assertThat(wal.rollFiles()).isEqualTo(files.subList(1, 3));

      wal.releaseBefore(1_000); // never the newest file
      assertThat(wal.rollFiles()).isEqualTo(files.subList(2, 3));
    }
    try (Wal wal = open(dir)) {
      Wal.Replayed replayed = wal.replay(20);
      assertThat(replayed.hardState()).isEqualTo(hs);
      assertThat(replayed.entries()).isEqualTo(WalFixtures.entries(21, 30, 1));
      wal.append(WalFixtures.entries(31, 31, 1), null);
      wal.sync();
    }
  }

  @Test
  void anEntryAndItsRewriteInALaterFileStayConsistentAcrossRolls() throws IOException {
    Path dir = tmp.resolve("wal");
    try (Wal wal = open(dir)) {
      for (long i = 1; i <= 6; i++) {
        wal.append(WalFixtures.entries(i, i, 1), null);
        clock.advanceMillis(1_000); // every entry in a file of its own, one batch
      }
      wal.sync();
      wal.append(WalFixtures.entries(3, 3, 2), null);
      wal.sync();
    }
    try (Wal wal = open(dir)) {
      assertThat(wal.rollFiles()).hasSize(7);
      assertThat(wal.replay(0).entries())
          .extracting(Entry::getIndex, Entry::getTerm)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1L, 1L),
              org.assertj.core.groups.Tuple.tuple(2L, 1L),
              org.assertj.core.groups.Tuple.tuple(3L, 2L));
    }
  }

  @Test
  void aFailedMsyncFailsTheWalForGoodAndTellsTheListener() throws IOException {
    try (Wal wal = open(tmp.resolve("wal"))) {
      wal.append(WalFixtures.entries(1, 1, 1), null);
      wal.sync();
      wal.afterMsync = () -> Jvm.error().on(Wal.class, "msync: EIO", new IOException("EIO"));
      wal.append(WalFixtures.entries(2, 2, 1), null);
      assertThatThrownBy(wal::sync)
          .isInstanceOf(StorageException.class)
          .rootCause()
          .hasMessage("EIO");
      assertThat(failed.get()).hasMessageContaining("msync: EIO");
      assertThatThrownBy(() -> wal.append(WalFixtures.entries(3, 3, 1), null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("refuses");
      assertThatThrownBy(wal::sync).isInstanceOf(StorageException.class);
      assertThatThrownBy(() -> wal.replay(0)).isInstanceOf(StorageException.class);
    }
  }

  @Test
  void appendsFailCleanlyWhenDiskSpaceIsLow() throws IOException {
    Wal.Options tooDemanding =
        new Wal.Options(TestRollCycles.TEST_SECONDLY, 1L << 20, Long.MAX_VALUE, clock);
    try (Wal wal = Wal.open(tmp.resolve("wal"), tooDemanding, failed::set)) {
      assertThatThrownBy(() -> wal.append(WalFixtures.entries(1, 1, 1), null))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("bytes free");
      assertThat(failed.get()).isNull();
    }
  }
}
