package io.ketch.mvcc;

import io.ketch.pb.mvcc.KeyValue;
import java.util.List;

/** Keys deleted by a deleteRange and their values just before. */
public record DeleteResult(long deleted, List<KeyValue> prevKvs) {}
