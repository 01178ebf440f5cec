package io.ketch.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.ketch.Allocations;
import io.ketch.raft.Storage;
import io.ketch.raft.pb.ConfState;
import io.ketch.raft.pb.Entry;
import io.ketch.raft.pb.HardState;
import io.ketch.raft.pb.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskStorageTest {

  @TempDir Path dataDir;
  final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L);
  final DiskStorage.Options options =
      new DiskStorage.Options(1L << 20, 2, 3, 2L << 20, 0, cause -> {});
  static final ConfState VOTERS = ConfState.newBuilder().addVoters(1).addVoters(2).build();

  DiskStorage open() throws IOException {
    return DiskStorage.open(dataDir, options, WalFixtures.testOptions(clock));
  }

  static HardState hs(long term, long vote, long commit) {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
  }

  @Test
  void aFreshStorageIsEmpty() throws IOException {
    try (DiskStorage storage = open()) {
      assertThat(storage.firstIndex()).isEqualTo(1);
      assertThat(storage.lastIndex()).isZero();
      assertThat(storage.term(0)).isZero();
      assertThat(storage.initialState())
          .isEqualTo(
              new Storage.InitialState(
                  HardState.getDefaultInstance(), ConfState.getDefaultInstance()));
      assertThat(storage.snapshot()).isEqualTo(Snapshot.getDefaultInstance());
    }
    assertThat(dataDir.resolve("member/wal")).isDirectory();
    assertThat(dataDir.resolve("member/snap")).isDirectory();
  }

  @Test
  void theWalMapsFourTimesTheLargestEntryAndAtLeast16MiB() {
    assertThat(DiskStorage.walBlockSize(2L << 20)).isEqualTo(16L << 20); // etcd's default limit
    assertThat(DiskStorage.walBlockSize(20L << 20)).isEqualTo(128L << 20);
    assertThat(DiskStorage.walBlockSize(DiskStorage.MAX_ENTRY_BYTES)).isEqualTo(2L << 30);
    assertThatThrownBy(() -> DiskStorage.walBlockSize(DiskStorage.MAX_ENTRY_BYTES + 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEntryAsLargeAsPromisedIsWrittenAndReadBack() throws IOException {
    int size = 20 << 20; // more than a quarter of the default 16 MiB block: needs the larger one
    Entry big =
        Entry.newBuilder()
            .setIndex(1)
            .setTerm(1)
            .setData(ByteString.copyFrom(new byte[size]))
            .build();
    DiskStorage.Options large = options.withMaxEntryBytes(size + 1024);
    try (DiskStorage storage = DiskStorage.open(dataDir, large)) {
      storage.save(hs(1, 1, 1), List.of(big), true);
    }
    try (DiskStorage storage = DiskStorage.open(dataDir, large)) {
      assertThat(storage.entries(1, 2, Long.MAX_VALUE)).containsExactly(big);
    }
  }

  @Test
  void savedStateSurvivesAReopenWithConflictingEntriesTruncated() throws IOException {
    try (DiskStorage storage = open()) {
      storage.save(hs(1, 1, 0), WalFixtures.entries(1, 10, 1), true);
      storage.save(hs(2, 2, 4), WalFixtures.entries(5, 7, 2), true);
      assertThat(storage.lastIndex()).isEqualTo(7);
      assertThat(storage.term(5)).isEqualTo(2);
    }
    try (DiskStorage storage = open()) {
      List<Entry> expected = new ArrayList<>(WalFixtures.entries(1, 4, 1));
      expected.addAll(WalFixtures.entries(5, 7, 2));
      assertThat(storage.entries(1, 8, Long.MAX_VALUE)).isEqualTo(expected);
      assertThat(storage.lastIndex()).isEqualTo(7);
      assertThat(storage.initialState().hardState()).isEqualTo(hs(2, 2, 4));
    }
  }

  @Test
  void theStorageContractsExceptionsAndSizeLimit() throws IOException {
    try (DiskStorage storage = open()) {
      storage.save(hs(1, 1, 10), WalFixtures.entries(1, 10, 1), true);
      storage.createSnapshot(
          6, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s6"))); // keeps 3: compacts to 3
      assertThat(storage.firstIndex()).isEqualTo(4);
      assertThat(storage.term(3)).isEqualTo(1);
      assertThatThrownBy(() -> storage.term(2)).isInstanceOf(Storage.CompactedException.class);
      assertThatThrownBy(() -> storage.term(11)).isInstanceOf(Storage.UnavailableException.class);
      assertThatThrownBy(() -> storage.entries(3, 5, Long.MAX_VALUE))
          .isInstanceOf(Storage.CompactedException.class);
      assertThatThrownBy(() -> storage.entries(4, 12, Long.MAX_VALUE))
          .isInstanceOf(Storage.UnavailableException.class);
      int one = WalFixtures.entry(4, 1).getSerializedSize();
      assertThat(storage.entries(4, 11, 0)).hasSize(1);
      assertThat(storage.entries(4, 11, 2L * one + 1)).hasSize(2);
      assertThatThrownBy(() -> storage.save(null, WalFixtures.entries(12, 12, 1), true))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void recoveryIsTheNewestSnapshotThenTheWalAfterIt() throws IOException {
    try (DiskStorage storage = open()) {
      storage.save(hs(1, 1, 8), WalFixtures.entries(1, 10, 1), true);
      storage.createSnapshot(8, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s8")));
      assertThat(storage.snapshot().getData().toStringUtf8()).isEqualTo("s8");
      assertThat(storage.snapshotMetadata().getIndex()).isEqualTo(8);
      storage.save(hs(1, 1, 12), WalFixtures.entries(11, 12, 1), true);
    }
    try (DiskStorage storage = open()) {
      assertThat(storage.snapshot().getData().toStringUtf8()).isEqualTo("s8");
      assertThat(storage.firstIndex()).isEqualTo(9);
      assertThat(storage.term(8)).isEqualTo(1);
      assertThat(storage.entries(9, 13, Long.MAX_VALUE)).isEqualTo(WalFixtures.entries(9, 12, 1));
      assertThat(storage.initialState()).isEqualTo(new Storage.InitialState(hs(1, 1, 12), VOTERS));
    }
  }

  @Test
  void aSnapshotFromTheLeaderReplacesTheLogAcrossRestarts() throws IOException {
    try (DiskStorage storage = open()) {
      storage.save(hs(1, 1, 2), WalFixtures.entries(1, 20, 1), true);
      storage.saveSnapshot(SnapshotStoreTest.snapshot(3, 15));
      assertThat(storage.firstIndex()).isEqualTo(16);
      assertThat(storage.lastIndex()).isEqualTo(15);
      assertThat(storage.term(15)).isEqualTo(3);
      assertThat(storage.initialState().hardState().getCommit()).isEqualTo(15);
    }
    try (DiskStorage storage = open()) {
      assertThat(storage.lastIndex()).isEqualTo(15); // stale entries 16..20 of term 1 are gone
      assertThat(storage.term(15)).isEqualTo(3);
      assertThat(storage.initialState().hardState()).isEqualTo(hs(1, 1, 15));
      storage.save(hs(3, 0, 15), WalFixtures.entries(16, 17, 3), true);
    }
    try (DiskStorage storage = open()) {
      assertThat(storage.entries(16, 18, Long.MAX_VALUE)).isEqualTo(WalFixtures.entries(16, 17, 3));
    }
  }

  @Test
  void aRestartReadsTheNewestSnapshotOnceAndKeepsOnlyItsMetadata() throws IOException {
    Snapshot large =
        SnapshotStoreTest.snapshot(1, 10).toBuilder()
            .setData(ByteString.copyFrom(new byte[32 << 20]))
            .build();
    try (DiskStorage storage = open()) {
      storage.saveSnapshot(large);
    }
    long opening;
    long later;
    Snapshot first;
    Snapshot second;
    long before = Allocations.onThisThread();
    try (DiskStorage storage = open()) {
      first = storage.snapshot(); // the member's starting state
      opening = Allocations.onThisThread() - before;
      before = Allocations.onThisThread();
      second = storage.snapshot(); // raft sending it to a follower
      later = Allocations.onThisThread() - before;
    }
    assertThat(opening).isBetween(32L << 20, 36L << 20); // the file read once
    assertThat(later).isGreaterThan(32L << 20); // read again: the first one was not kept
    assertThat(first).isEqualTo(large);
    assertThat(second).isEqualTo(large);
  }

  @Test
  void aSnapshotInstalledAfterARestartReplacesTheOneReadThen() throws IOException {
    try (DiskStorage storage = open()) {
      storage.saveSnapshot(SnapshotStoreTest.snapshot(3, 15));
    }
    try (DiskStorage storage = open()) {
      storage.saveSnapshot(SnapshotStoreTest.snapshot(4, 20));
      assertThat(storage.snapshot()).isEqualTo(SnapshotStoreTest.snapshot(4, 20));
    }
  }

  @Test
  void aSnapshotOvertakenByOneFromTheLeaderChangesNothing() throws IOException {
    try (DiskStorage storage = open()) {
      storage.save(hs(1, 1, 12), WalFixtures.entries(1, 12, 1), true);
      storage.saveSnapshot(SnapshotStoreTest.snapshot(3, 15)); // installed while ours was written
      storage.createSnapshot(10, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s10")));
      assertThat(storage.snapshotMetadata().getIndex()).isEqualTo(15);
      assertThat(storage.firstIndex()).isEqualTo(16);
      assertThat(storage.snapshot()).isEqualTo(SnapshotStoreTest.snapshot(3, 15));
    }
  }

  @Test
  void snapshotsWrittenBesideTheRaftThreadsSavesKeepTheLogWhole() throws Exception {
    try (DiskStorage storage = open()) {
      storage.save(hs(1, 1, 0), WalFixtures.entries(1, 1, 1), true);
      Thread snapshotter =
          new Thread(
              () -> {
                for (long index = 1; index <= 200; index += 20) {
                  while (storage.lastIndex() < index) {
                    Thread.onSpinWait();
                  }
                  storage.createSnapshot(
                      index, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s" + index)));
                }
              });
      snapshotter.start();
      for (long index = 2; index <= 300; index++) {
        storage.save(hs(1, 1, index - 1), WalFixtures.entries(index, index, 1), index % 7 == 0);
      }
      snapshotter.join();
      assertThat(storage.snapshotMetadata().getIndex()).isEqualTo(181);
      assertThat(storage.firstIndex()).isEqualTo(181 - 3 + 1); // keeps 3 entries before it
      assertThat(storage.entries(storage.firstIndex(), 301, Long.MAX_VALUE))
          .isEqualTo(WalFixtures.entries(storage.firstIndex(), 300, 1));
    }
    try (DiskStorage storage = open()) {
      assertThat(storage.snapshot().getData().toStringUtf8()).isEqualTo("s181");
      assertThat(storage.entries(182, 301, Long.MAX_VALUE))
          .isEqualTo(WalFixtures.entries(182, 300, 1));
    }
  }

  @Test
  void snapshotsReleaseWholeWalFilesAndRecoveryStillWorks() throws IOException {
    try (DiskStorage storage = open()) {
      for (long i = 1; i <= 50; i += 10) {
        storage.save(hs(1, 1, i + 9), WalFixtures.entries(i, i + 9, 1), true);
        clock.advanceMillis(1_000); // one roll file per 10 entries
      }
      assertThat(walFiles()).hasSize(5);
      // WAL files are kept from the oldest retained snapshot on: here the only one, at 25.
      storage.createSnapshot(25, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s25")));
      assertThat(walFiles()).hasSize(3); // 1..10 and 11..20 gone, 21..30 holds 26..30
      storage.createSnapshot(45, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s45")));
      assertThat(walFiles()).hasSize(3); // the oldest retained is still 25
      storage.save(hs(1, 1, 55), WalFixtures.entries(51, 55, 1), true);
      storage.createSnapshot(52, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s52")));
      assertThat(walFiles()).hasSize(2); // oldest retained 45: 41..50 and 51..55 stay
      storage.save(hs(1, 1, 55), WalFixtures.entries(56, 56, 1), true);
    }
    try (DiskStorage storage = open()) {
      assertThat(storage.snapshot().getMetadata().getIndex()).isEqualTo(52);
      assertThat(storage.entries(53, 57, Long.MAX_VALUE)).isEqualTo(WalFixtures.entries(53, 56, 1));
      assertThat(storage.initialState().hardState()).isEqualTo(hs(1, 1, 55));
    }
    // The newest snapshot damaged: the previous one and the WAL kept since it rebuild the state.
    Path newest = dataDir.resolve("member/snap/0000000000000001-0000000000000034.snap");
    Files.write(newest, new byte[] {1, 2, 3});
    try (DiskStorage storage = open()) {
      assertThat(storage.snapshot().getMetadata().getIndex()).isEqualTo(45);
      assertThat(storage.entries(46, 57, Long.MAX_VALUE)).isEqualTo(WalFixtures.entries(46, 56, 1));
    }
  }

  @Test
  void onlyTheNewestEntriesStayInMemoryAndTheRestIsReadBackFromTheWal() throws IOException {
    int one = WalFixtures.entry(10, 1).getSerializedSize();
    DiskStorage.Options cacheFour = options.withCachedEntryBytes(4L * one);
    try (DiskStorage storage =
        DiskStorage.open(dataDir, cacheFour, WalFixtures.testOptions(clock))) {
      for (long i = 1; i <= 30; i += 3) {
        storage.save(hs(1, 1, 0), WalFixtures.entries(i, i + 2, 1), true);
        clock.advanceMillis(1_000); // a roll file per save: reads cross files
      }
      storage.save(hs(2, 2, 0), WalFixtures.entries(25, 31, 2), true); // truncates 25..30 of term 1
      assertThat(storage.cachedEntries()).isBetween(1, 4);
      List<Entry> expected = new ArrayList<>(WalFixtures.entries(1, 24, 1));
      expected.addAll(WalFixtures.entries(25, 31, 2));
      assertThat(storage.entries(1, 32, Long.MAX_VALUE)).isEqualTo(expected);
      long threeEntries =
          expected.subList(19, 22).stream().mapToLong(Entry::getSerializedSize).sum();
      assertThat(storage.entries(20, 32, threeEntries)).isEqualTo(expected.subList(19, 22));
      assertThat(storage.term(24)).isEqualTo(1);
      assertThat(storage.term(25)).isEqualTo(2);
    }
  }

  @Test
  void entriesKeptForSlowFollowersKeepTheirWalFilesPastTheOldestSnapshot() throws IOException {
    DiskStorage.Options keepThirty = options.withEntriesToKeep(30);
    try (DiskStorage storage =
        DiskStorage.open(dataDir, keepThirty, WalFixtures.testOptions(clock))) {
      for (long i = 1; i <= 50; i += 10) {
        storage.save(hs(1, 1, i + 9), WalFixtures.entries(i, i + 9, 1), true);
        clock.advanceMillis(1_000); // one roll file per 10 entries
      }
      storage.createSnapshot(25, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s25")));
      storage.createSnapshot(45, VOTERS, SnapshotData.of(ByteString.copyFromUtf8("s45")));
      assertThat(storage.firstIndex()).isEqualTo(16); // 45 - 30 + 1: before the oldest snapshot
      assertThat(walFiles()).hasSize(4); // only 1..10 went
      assertThat(storage.entries(16, 51, Long.MAX_VALUE)).isEqualTo(WalFixtures.entries(16, 50, 1));
    }
  }

  private List<Path> walFiles() throws IOException {
    try (Stream<Path> files = Files.list(dataDir.resolve("member/wal"))) {
      return files.filter(p -> p.toString().endsWith(".cq4")).toList();
    }
  }
}
