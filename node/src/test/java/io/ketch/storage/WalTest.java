package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
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
      assertThat(wal.recovery())
          .as("one document per append")
          .isEqualTo(new Wal.Recovery(1, null, false));
      Wal.Replayed replayed = wal.replay(0, 0);
      assertThat(replayed.hardState()).isEqualTo(hs);
      assertThat(WalFixtures.readBack(wal, replayed)).isEqualTo(WalFixtures.entries(1, 10, 3));
      assertThat(WalFixtures.readBack(wal, wal.replay(4, 0)))
          .isEqualTo(WalFixtures.entries(5, 10, 3));
    }
  }

  @Test
  void aCleanReopenNeverRepairsWhateverChronicleWroteAfterTheRecords() throws IOException {
    Path dir = tmp.resolve("wal");
    // A thousand documents per open (Chronicle indexes every fourth); the fourth open after a roll.
    for (long from = 1; from <= 3_001; from += 1_000) {
      try (Wal wal = open(dir)) {
        assertThat(wal.recovery().repaired()).as("reopen before %d", from).isFalse();
        for (long i = from; i < from + 1_000; i++) {
          wal.append(WalFixtures.entries(i, i, 1), HardState.newBuilder().setCommit(i).build());
          if (i % 10 == 0) {
            wal.sync();
          }
        }
      }
      clock.advanceMillis(from == 2_001 ? 1_000 : 0);
    }
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(4_000, null, false));
      assertThat(WalFixtures.readBack(wal, wal.replay(0, 0))).hasSize(4_000);
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
      assertThat(WalFixtures.readBack(wal, wal.replay(0, 0))).isEqualTo(expected);
      assertThat(WalFixtures.readBack(wal, wal.replay(6, 0)))
          .isEqualTo(WalFixtures.entries(7, 7, 2));
    }
  }

  @Test
  void aLaterEntryForAnIndexReplacesEverythingFromThereWithinOneDocumentToo() throws IOException {
    Path dir = tmp.resolve("wal");
    List<Entry> batch = new ArrayList<>(WalFixtures.entries(1, 5, 1));
    batch.addAll(WalFixtures.entries(3, 4, 2));
    try (Wal wal = open(dir)) {
      wal.append(batch, null);
      wal.sync();
    }
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(1, null, false));
      List<Entry> expected = new ArrayList<>(WalFixtures.entries(1, 2, 1));
      expected.addAll(WalFixtures.entries(3, 4, 2));
      assertThat(WalFixtures.readBack(wal, wal.replay(0, 0))).isEqualTo(expected);
    }
  }

  @Test
  void aBatchOverTheDocumentLimitIsSplitIntoSelfContainedDocuments() throws IOException {
    Path dir = tmp.resolve("wal");
    int limit = Wal.maxDocumentBytes(WalFixtures.testOptions(clock).blockSize());
    ByteString payload = ByteString.copyFrom(new byte[1_000]);
    List<Entry> batch = new ArrayList<>();
    for (long i = 1; i <= 300; i++) {
      batch.add(WalFixtures.entry(i, 1).toBuilder().setData(payload).build());
    }
    Entry huge = // larger than a document may be: it gets one to itself
        WalFixtures.entry(301, 1).toBuilder().setData(ByteString.copyFrom(new byte[limit])).build();
    batch.add(huge);
    batch.addAll(WalFixtures.entries(302, 303, 1));
    HardState hs = HardState.newBuilder().setTerm(1).setCommit(303).build();
    try (Wal wal = open(dir)) {
      wal.append(batch, hs);
      wal.append(WalFixtures.entries(304, 304, 1), null); // the grown buffer, reused
      wal.sync();
    }

    List<WalDocument> documents = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    WalFixtures.forEachDocument(
        dir,
        WalFixtures.testOptions(clock),
        bytes -> {
          byte[] body = new byte[(int) bytes.readRemaining()];
          bytes.read(body);
          documents.add(WalDocument.decode(body)); // each decodes on its own
          sizes.add(body.length);
        });
    // 300 entries of ~1 KB fill five documents of at most 64 KiB; the huge one is alone.
    int perDocument = (limit - 13 - 4) / WalRecord.entrySize(batch.get(0));
    assertThat(documents)
        .extracting(WalDocument::seq)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(documents)
        .extracting(d -> d.records().size())
        .containsExactly(
            perDocument, perDocument, perDocument, perDocument, 300 - 4 * perDocument, 1, 3, 1);
    assertThat(sizes.subList(0, 5)).allMatch(size -> size <= limit);
    assertThat(sizes.get(5)).isGreaterThan(limit);
    List<WalRecord> records = documents.stream().flatMap(d -> d.records().stream()).toList();
    List<WalRecord> expected = new ArrayList<>();
    batch.forEach(e -> expected.add(new WalRecord.EntryRecord(e)));
    expected.add(new WalRecord.HardStateRecord(hs));
    expected.add(new WalRecord.EntryRecord(WalFixtures.entry(304, 1)));
    assertThat(records).isEqualTo(expected);

    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(documents.size(), null, false));
      Wal.Replayed replayed = wal.replay(0, 0);
      assertThat(replayed.hardState()).isEqualTo(hs);
      List<Entry> all = new ArrayList<>(batch);
      all.add(WalFixtures.entry(304, 1));
      assertThat(WalFixtures.readBack(wal, replayed)).isEqualTo(all);
    }
  }

  @Test
  void aWalWrittenBeforeBatchDocumentsReplaysAndTakesNewAppends() throws IOException {
    Path dir = tmp.resolve("wal");
    HardState oldHs = HardState.newBuilder().setTerm(3).setVote(1).setCommit(20).build();
    List<WalRecord> old = new ArrayList<>();
    WalFixtures.entries(1, 10, 1).forEach(e -> old.add(new WalRecord.EntryRecord(e)));
    old.add(new WalRecord.LogResetRecord(20, 3));
    WalFixtures.entries(21, 23, 3).forEach(e -> old.add(new WalRecord.EntryRecord(e)));
    old.add(new WalRecord.EntryRecord(WalFixtures.entry(22, 4))); // truncates 23
    old.add(new WalRecord.HardStateRecord(oldHs));
    WalFixtures.writeOldFormat(dir, WalFixtures.testOptions(clock), 1, old);

    List<Entry> expected = new ArrayList<>(WalFixtures.entries(21, 21, 3));
    expected.add(WalFixtures.entry(22, 4));
    HardState newHs = HardState.newBuilder().setTerm(4).setVote(1).setCommit(24).build();
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(old.size(), null, false));
      Wal.Replayed replayed = wal.replay(20, 0);
      assertThat(replayed.hardState()).isEqualTo(oldHs);
      assertThat(WalFixtures.readBack(wal, replayed)).isEqualTo(expected);
      wal.append(WalFixtures.entries(23, 24, 4), newHs);
      wal.sync();
    }
    expected.addAll(WalFixtures.entries(23, 24, 4));
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery()).isEqualTo(new Wal.Recovery(old.size() + 1, null, false));
      Wal.Replayed replayed = wal.replay(20, 0);
      assertThat(replayed.hardState()).isEqualTo(newHs);
      assertThat(WalFixtures.readBack(wal, replayed)).isEqualTo(expected);
      assertThatThrownBy(() -> wal.replay(5, 0)).hasMessageContaining("snapshot at index 20");
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
      assertThat(WalFixtures.readBack(wal, wal.replay(20, 0)))
          .isEqualTo(WalFixtures.entries(21, 22, 3));
      assertThatThrownBy(() -> wal.replay(5, 0))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("snapshot at index 20");
    }
    try (Wal wal = open(dir)) {
      assertThat(wal.recovery())
          .as("a log reset is a document of its own")
          .isEqualTo(new Wal.Recovery(3, null, false));
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
      Wal.Replayed replayed = wal.replay(20, 0);
      assertThat(replayed.hardState()).isEqualTo(hs);
      assertThat(WalFixtures.readBack(wal, replayed)).isEqualTo(WalFixtures.entries(21, 30, 1));
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
      assertThat(WalFixtures.readBack(wal, wal.replay(0, 0)))
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
      assertThatThrownBy(() -> wal.replay(0, 0)).isInstanceOf(StorageException.class);
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
