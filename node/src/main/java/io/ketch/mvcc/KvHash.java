package io.ketch.mvcc;

/** HashKV's answer: the hash, the compacted revision it started from, the revision it covers. */
public record KvHash(int hash, long compactRevision, long hashRevision) {}
