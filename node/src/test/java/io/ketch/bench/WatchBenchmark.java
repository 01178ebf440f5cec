package io.ketch.bench;

import com.google.protobuf.ByteString;
import io.ketch.mvcc.KvStore;
import io.ketch.mvcc.TxnWrite;
import io.ketch.mvcc.WatchStream;
import io.ketch.mvcc.WatchableStore;
import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Watch fan-out: one put under a prefix that {@code watchers} synced watchers (one per stream, as
 * kube-apiserver's informers do) all watch, then every stream drained: the apply thread's cost of
 * notifying them plus the senders' cost of taking the responses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WatchBenchmark {
  @Param({"1", "100", "1000"})
  int watchers;

  private WatchableStore store;
  private WatchStream[] streams;
  private final ByteString key = ByteString.copyFromUtf8("/registry/pods/default/pod-1");
  private final ByteString value = ByteString.copyFrom(new byte[256]);

  @Setup
  public void watch() {
    store = new WatchableStore(new KvStore());
    streams = new WatchStream[watchers];
    WatchCreateRequest prefix =
        WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("/registry/pods/"))
            .setRangeEnd(ByteString.copyFromUtf8("/registry/pods0"))
            .setPrevKv(true)
            .build();
    for (int i = 0; i < watchers; i++) {
      streams[i] = store.newWatchStream();
      streams[i].watch(prefix);
      streams[i].poll(); // the created answer
    }
  }

  @TearDown
  public void close() {
    store.close();
  }

  @Benchmark
  public int putAndDrain() {
    try (TxnWrite txn = store.kv().write()) {
      txn.put(key, value, 0);
    }
    int events = 0;
    for (WatchStream s : streams) {
      for (WatchResponse r = s.poll(); r != null; r = s.poll()) {
        events += r.getEventsCount();
      }
    }
    return events;
  }
}
