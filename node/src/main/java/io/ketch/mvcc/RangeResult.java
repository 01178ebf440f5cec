package io.ketch.mvcc;

import io.ketch.pb.mvcc.KeyValue;
import java.util.List;

/**
 * The answer to a range: the selected key-values, the number of keys in the range at the read
 * revision (before limit and filters), whether the limit cut the answer, and the store's current
 * revision when it was read (etcd answers with it in the header).
 */
public record RangeResult(List<KeyValue> kvs, long count, boolean more, long currentRevision) {}
