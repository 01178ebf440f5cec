package io.ketch.cli;

import com.google.protobuf.ByteString;
import io.ketch.pb.etcdserver.CompactionRequest;
import io.ketch.pb.etcdserver.DeleteRangeRequest;
import io.ketch.pb.etcdserver.DeleteRangeResponse;
import io.ketch.pb.etcdserver.KVGrpc;
import io.ketch.pb.etcdserver.PutRequest;
import io.ketch.pb.etcdserver.PutResponse;
import io.ketch.pb.etcdserver.RangeRequest;
import io.ketch.pb.etcdserver.RangeResponse;
import io.ketch.pb.mvcc.KeyValue;
import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** put, get, del and compaction: the KV service. */
final class KvCommands {
  private KvCommands() {}

  static KVGrpc.KVBlockingStub kv(Session session) {
    return session.timed(KVGrpc.newBlockingStub(session.channel()));
  }

  @Command(
      name = "put",
      description = "Puts the given key into the store (value from stdin if omitted)")
  static final class Put implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "key")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "value")
    String value;

    @Option(
        names = "--prev-kv",
        description = "return the previous key-value pair before modification")
    boolean prevKv;

    @Option(
        names = "--lease",
        defaultValue = "0",
        description = "lease ID (in hexadecimal) to attach to the key")
    String lease;

    @Option(names = "--ignore-value", description = "updates the key using its current value")
    boolean ignoreValue;

    @Option(names = "--ignore-lease", description = "updates the key using its current lease")
    boolean ignoreLease;

    Put(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() throws IOException {
      if (ignoreValue && value != null) {
        throw CliException.badArgs("put command needs only 1 argument when 'ignore-value' is set");
      }
      PutRequest.Builder request =
          PutRequest.newBuilder()
              .setKey(KeyRange.utf8(key))
              .setLease(LeaseCommands.parseId(lease, "bad lease ID (%s), expecting ID in Hex"))
              .setPrevKv(prevKv)
              .setIgnoreValue(ignoreValue)
              .setIgnoreLease(ignoreLease);
      if (!ignoreValue) {
        request.setValue(
            value != null ? KeyRange.utf8(value) : ByteString.copyFrom(session.in.readAllBytes()));
      }
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      PutResponse response = kv(session).put(request.build());
      if (format == GlobalOptions.Format.json) {
        session.output().json(response);
      } else {
        session.out.println("OK");
        if (response.hasPrevKv()) {
          session.output().kv(response.getPrevKv(), false);
        }
      }
      return 0;
    }
  }

  @Command(name = "get", description = "Gets the key or a range of keys")
  static final class Get implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "key")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "range_end")
    String rangeEnd;

    @Option(names = "--prefix", description = "get keys with matching prefix")
    boolean prefix;

    @Option(
        names = "--from-key",
        description = "get keys that are greater than or equal to the given key")
    boolean fromKey;

    @Option(names = "--limit", defaultValue = "0", description = "maximum number of results")
    long limit;

    @Option(names = "--rev", defaultValue = "0", description = "specify the kv revision")
    long rev;

    @Option(
        names = "--sort-by",
        defaultValue = "",
        description = "sort target: CREATE, KEY, MODIFY, VALUE or VERSION")
    String sortBy;

    @Option(
        names = "--order",
        defaultValue = "",
        description = "order of results: ASCEND or DESCEND")
    String order;

    @Option(names = "--keys-only", description = "get only the keys")
    boolean keysOnly;

    @Option(names = "--count-only", description = "get only the count")
    boolean countOnly;

    @Option(
        names = "--print-value-only",
        description = "only write values when using the simple output format")
    boolean printValueOnly;

    @Option(
        names = "--consistency",
        defaultValue = "l",
        description = "linearizable (l) or serializable (s)")
    String consistency;

    Get(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      RangeRequest request = request();
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      RangeResponse response = kv(session).range(request);
      if (format == GlobalOptions.Format.json) {
        session.output().json(response);
      } else if (countOnly) {
        session.out.println(response.getCount());
      } else {
        for (KeyValue kv : response.getKvsList()) {
          session.output().kv(kv, printValueOnly);
        }
      }
      return 0;
    }

    RangeRequest request() {
      KeyRange range = KeyRange.of(key, rangeEnd, prefix, fromKey);
      if (keysOnly && countOnly) {
        throw CliException.badArgs(
            "`--keys-only` and `--count-only` cannot be set at the same time, choose one");
      }
      RangeRequest.SortOrder sortOrder =
          switch (order.toUpperCase(Locale.ROOT)) {
            case "" -> RangeRequest.SortOrder.NONE;
            case "ASCEND" -> RangeRequest.SortOrder.ASCEND;
            case "DESCEND" -> RangeRequest.SortOrder.DESCEND;
            default -> throw new CliException(CliException.BAD_FEATURE, "bad sort order " + order);
          };
      RangeRequest.SortTarget sortTarget =
          switch (sortBy.toUpperCase(Locale.ROOT)) {
            case "", "KEY" -> RangeRequest.SortTarget.KEY;
            case "CREATE" -> RangeRequest.SortTarget.CREATE;
            case "MODIFY" -> RangeRequest.SortTarget.MOD;
            case "VALUE" -> RangeRequest.SortTarget.VALUE;
            case "VERSION" -> RangeRequest.SortTarget.VERSION;
            default ->
                throw new CliException(CliException.BAD_FEATURE, "bad sort target " + sortBy);
          };
      // clientv3's WithSort: KEY ascending is the natural order, sent as NONE.
      if (sortTarget == RangeRequest.SortTarget.KEY && sortOrder == RangeRequest.SortOrder.ASCEND) {
        sortOrder = RangeRequest.SortOrder.NONE;
      }
      boolean serializable =
          switch (consistency) {
            case "l" -> false;
            case "s" -> true;
            default ->
                throw CliException.badArgs("unknown consistency flag \"" + consistency + "\"");
          };
      return RangeRequest.newBuilder()
          .setKey(range.key())
          .setRangeEnd(range.rangeEnd())
          .setLimit(limit)
          .setRevision(rev)
          .setSortOrder(sortOrder)
          .setSortTarget(sortTarget)
          .setSerializable(serializable)
          .setKeysOnly(keysOnly)
          .setCountOnly(countOnly)
          .build();
    }
  }

  @Command(
      name = "del",
      description = "Removes the specified key or range of keys [key, range_end)")
  static final class Del implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "key")
    String key;

    @Parameters(index = "1", arity = "0..1", paramLabel = "range_end")
    String rangeEnd;

    @Option(names = "--prefix", description = "delete keys with matching prefix")
    boolean prefix;

    @Option(
        names = "--from-key",
        description = "delete keys that are greater than or equal to the given key")
    boolean fromKey;

    @Option(names = "--prev-kv", description = "return deleted key-value pairs")
    boolean prevKv;

    Del(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      KeyRange range = KeyRange.of(key, rangeEnd, prefix, fromKey);
      GlobalOptions.Format format = session.globals.formatWithoutTable();
      DeleteRangeResponse response =
          kv(session)
              .deleteRange(
                  DeleteRangeRequest.newBuilder()
                      .setKey(range.key())
                      .setRangeEnd(range.rangeEnd())
                      .setPrevKv(prevKv)
                      .build());
      if (format == GlobalOptions.Format.json) {
        session.output().json(response);
      } else {
        session.out.println(response.getDeleted());
        for (KeyValue kv : response.getPrevKvsList()) {
          session.output().kv(kv, false);
        }
      }
      return 0;
    }
  }

  @Command(name = "compaction", description = "Compacts the event history in etcd")
  static final class Compaction implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", paramLabel = "revision")
    long revision;

    @Option(
        names = "--physical",
        description = "wait for the compaction to physically remove all old revisions")
    boolean physical;

    Compaction(Session session) {
      this.session = session;
    }

    @Override
    public Integer call() {
      kv(session)
          .compact(
              CompactionRequest.newBuilder().setRevision(revision).setPhysical(physical).build());
      // etcdctl prints this line whatever the output format.
      session.out.println("compacted revision " + revision);
      return 0;
    }
  }
}
