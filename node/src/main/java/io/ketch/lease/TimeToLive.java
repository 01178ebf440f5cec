package io.ketch.lease;

import com.google.protobuf.ByteString;
import java.util.List;

/**
 * What LeaseTimeToLive answers.
 *
 * @param id the lease asked about
 * @param grantedTtlSeconds the TTL it was granted with (after raising to the minimum)
 * @param remainingTtlSeconds seconds until it expires; -1 if there is no such lease (etcd answers
 *     TTL=-1 rather than an error)
 * @param keys the attached keys in key order, if they were asked for
 */
public record TimeToLive(
    long id, long grantedTtlSeconds, long remainingTtlSeconds, List<ByteString> keys) {

  public TimeToLive {
    keys = List.copyOf(keys);
  }

  static TimeToLive notFound(long id) {
    return new TimeToLive(id, 0, -1, List.of());
  }

  public boolean found() {
    return remainingTtlSeconds >= 0;
  }
}
