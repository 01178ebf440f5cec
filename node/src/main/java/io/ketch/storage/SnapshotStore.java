package io.ketch.storage;

import com.google.common.io.CountingOutputStream;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.ketch.raft.pb.Snapshot;
import io.ketch.raft.pb.SnapshotMetadata;
import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot files in one directory, named {@code <term>-<index>.snap} (16 hex digits each, etcd's
 * naming). Content: the serialized raft {@link Snapshot}, then a 4-byte CRC32C of it.
 *
 * <p>{@link #save} is durable on return: it writes {@code <name>.tmp}, fsyncs it, renames it into
 * place and fsyncs the directory, so a crash leaves either no file or a whole one. {@link
 * #newestValid} reads the newest file that passes its checks; a damaged one is renamed to {@code
 * .broken} and logged, and the next older one is tried (which is why the WAL is kept from the
 * oldest retained snapshot on, see {@link DiskStorage}). Not thread-safe: DiskStorage serialises
 * its callers.
 */
final class SnapshotStore {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");
  private static final int CRC = 4;

  private final Path dir;
  private final int keep;

  /**
   * @param keep how many snapshot files to retain (at least 1)
   */
  SnapshotStore(Path dir, int keep) throws IOException {
    if (keep < 1) {
      throw new IllegalArgumentException("keep at least one snapshot, not " + keep);
    }
    this.dir = dir;
    this.keep = keep;
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path tmp : files.filter(p -> p.toString().endsWith(".tmp")).toList()) {
        Files.delete(tmp); // a save that crashed before its rename
      }
    }
  }

  /**
   * Writes a snapshot of {@code data} as of {@code meta} durably and atomically, then prunes all
   * but the newest few. The file holds the serialized raft {@link Snapshot}, its data streamed in.
   */
  void save(SnapshotMetadata meta, SnapshotData data) {
    Path file = fileOf(meta.getTerm(), meta.getIndex());
    Path tmp = dir.resolve(file.getFileName() + ".tmp");
    try {
      // java.io streams, not a FileChannel: NIO copies a large heap write through a temporary
      // direct buffer as big as the write and keeps it cached on the thread.
      try (FileOutputStream out = new FileOutputStream(tmp.toFile())) {
        CountingOutputStream counted =
            new CountingOutputStream(new BufferedOutputStream(out, 1 << 16));
        CheckedOutputStream checked = new CheckedOutputStream(counted, new CRC32C());
        CodedOutputStream coded = CodedOutputStream.newInstance(checked, 64);
        coded.writeTag(Snapshot.DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        int size = data.size();
        coded.writeUInt32NoTag(size);
        coded.flush();
        long start = counted.getCount();
        data.writeTo(checked);
        long written = counted.getCount() - start;
        if (written != size) {
          throw new IllegalStateException(
              "snapshot data wrote " + written + " bytes, not the " + size + " it declared");
        }
        coded.writeMessage(Snapshot.METADATA_FIELD_NUMBER, meta);
        coded.flush();
        counted.write(
            ByteBuffer.allocate(CRC).putInt((int) checked.getChecksum().getValue()).array());
        counted.flush();
        out.getChannel().force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Wal.fsync(dir, true);
      List<Path> files = snapshotFiles();
      for (Path old : files.subList(0, Math.max(0, files.size() - keep))) {
        Files.delete(old);
      }
      if (files.size() > keep) {
        Wal.fsync(dir, true);
      }
    } catch (IOException e) {
      throw new StorageException("could not save snapshot " + file, e);
    }
  }

  /**
   * The newest snapshot that passes its checks, read whole (checking it means reading it all);
   * damaged newer ones are set aside as .broken.
   */
  Optional<Snapshot> newestValid() {
    try {
      List<Path> files = snapshotFiles();
      for (int i = files.size() - 1; i >= 0; i--) {
        Path file = files.get(i);
        String problem;
        try {
          return Optional.of(read(file));
        } catch (InvalidProtocolBufferException | CorruptSnapshotException e) {
          problem = e.getMessage();
        }
        LOG.warn(
            "snapshot {} is damaged ({}); setting it aside, trying an older one", file, problem);
        Files.move(file, file.resolveSibling(file.getFileName() + ".broken"));
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("could not read snapshots in " + dir, e);
    }
  }

  /** The snapshot {@code meta} describes, or empty if its file is no longer kept. */
  Optional<Snapshot> load(SnapshotMetadata meta) {
    Path file = fileOf(meta.getTerm(), meta.getIndex());
    try {
      return Optional.of(read(file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("could not read snapshot " + file, e);
    }
  }

  /** The raft index of the oldest retained snapshot file, or 0 without any. */
  long oldestIndex() {
    try {
      List<Path> files = snapshotFiles();
      return files.isEmpty() ? 0 : indexOf(files.get(0));
    } catch (IOException e) {
      throw new StorageException("could not list snapshots in " + dir, e);
    }
  }

  private static Snapshot read(Path file) throws IOException {
    byte[] bytes;
    try (FileInputStream in = openForRead(file)) {
      bytes = in.readAllBytes();
    }
    int length = bytes.length - CRC;
    if (length < 0) {
      throw new CorruptSnapshotException("only " + bytes.length + " bytes");
    }
    if (ByteBuffer.wrap(bytes, length, CRC).getInt() != crc(bytes, length)) {
      throw new CorruptSnapshotException("CRC mismatch");
    }
    // Aliased, so the state stays in the file's bytes rather than a second copy: protobuf aliases
    // only a buffer it was told is immutable, as unsafeWrap's is.
    CodedInputStream body = UnsafeByteOperations.unsafeWrap(bytes, 0, length).newCodedInput();
    body.enableAliasing(true);
    Snapshot snapshot = Snapshot.parseFrom(body);
    Matcher name = NAME.matcher(file.getFileName().toString());
    if (!name.matches()
        || Long.parseUnsignedLong(name.group(1), 16) != snapshot.getMetadata().getTerm()
        || Long.parseUnsignedLong(name.group(2), 16) != snapshot.getMetadata().getIndex()) {
      throw new CorruptSnapshotException("name does not match its metadata");
    }
    return snapshot;
  }

  /** A java.io stream (not NIO: see {@link #save}); a missing file is a NoSuchFileException. */
  private static FileInputStream openForRead(Path file) throws IOException {
    try {
      return new FileInputStream(file.toFile());
    } catch (FileNotFoundException e) {
      if (Files.notExists(file)) {
        throw new NoSuchFileException(file.toString());
      }
      throw e;
    }
  }

  /** Snapshot files, oldest (by index, then term) first. */
  private List<Path> snapshotFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> NAME.matcher(p.getFileName().toString()).matches())
          .sorted(
              Comparator.comparingLong(SnapshotStore::indexOf)
                  .thenComparingLong(SnapshotStore::termOf))
          .toList();
    }
  }

  private Path fileOf(long term, long index) {
    return dir.resolve(String.format("%016x-%016x.snap", term, index));
  }

  private static long termOf(Path file) {
    return Long.parseUnsignedLong(file.getFileName().toString().substring(0, 16), 16);
  }

  private static long indexOf(Path file) {
    return Long.parseUnsignedLong(file.getFileName().toString().substring(17, 33), 16);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static final class CorruptSnapshotException extends IOException {
    CorruptSnapshotException(String message) {
      super(message);
    }
  }
}
