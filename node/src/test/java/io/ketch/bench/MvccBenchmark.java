package io.ketch.bench;

import com.google.protobuf.ByteString;
import io.ketch.mvcc.KvStore;
import io.ketch.mvcc.TxnWrite;
import io.ketch.pb.etcdserver.RangeRequest;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The in-memory store alone: one-put txns (the apply thread's cost per Put) and single-key ranges
 * (a serializable Get) over {@code keys} keys with 256-byte values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MvccBenchmark {
  @Param("100000")
  int keys;

  private KvStore store;
  private ByteString[] names;
  private RangeRequest[] gets;
  private final ByteString value = ByteString.copyFrom(new byte[256]);

  @Setup
  public void fill() {
    store = new KvStore();
    names = new ByteString[keys];
    gets = new RangeRequest[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = ByteString.copyFromUtf8(String.format("/registry/pods/default/pod-%08d", i));
      gets[i] = RangeRequest.newBuilder().setKey(names[i]).build();
      try (TxnWrite txn = store.write()) {
        txn.put(names[i], value, 0);
      }
    }
  }

  @Benchmark
  public long put() {
    try (TxnWrite txn = store.write()) {
      txn.put(names[ThreadLocalRandom.current().nextInt(keys)], value, 0);
      return txn.revision();
    }
  }

  @Benchmark
  public int rangeOneKey() {
    return store.range(gets[ThreadLocalRandom.current().nextInt(keys)]).kvs().size();
  }
}
