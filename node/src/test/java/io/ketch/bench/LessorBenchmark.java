package io.ketch.bench;

import io.ketch.lease.Lessor;
import io.ketch.lease.LessorConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The leader's hot paths: KeepAlive renewals and the periodic expiry scan, with many leases. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LessorBenchmark {

  @Param({"100000"})
  int leases;

  private long now;
  private Lessor lessor;
  private long next;

  @Setup
  public void setUp() {
    lessor = new Lessor(LessorConfig.DEFAULT, () -> now);
    lessor.promote(0);
    for (long id = 1; id <= leases; id++) {
      lessor.grant(id, 60 + id % 600);
    }
  }

  @Benchmark
  public long renew() {
    next = next % leases + 1;
    return lessor.renew(next);
  }

  /** One grant and its revocation: two applied entries. */
  @Benchmark
  public int grantAndRevoke() {
    long id = leases + 1 + next++;
    lessor.grant(id, 60);
    return lessor.revoke(id).size();
  }

  /** The scan the member runs every ~500 ms when nothing is due. */
  @Benchmark
  public int expiredWhenNoneDue() {
    return lessor.expired(500).size();
  }
}
