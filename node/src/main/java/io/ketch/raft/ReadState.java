package io.ketch.raft;

import com.google.protobuf.ByteString;

/**
 * The answer to a {@link RawNode#readIndex} request: once the application has applied up to {@code
 * index}, a read that started before the request was made sees every write acknowledged before it
 * (thesis 6.4).
 */
public record ReadState(long index, ByteString requestContext) {}
