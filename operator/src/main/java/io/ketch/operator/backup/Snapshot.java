package io.ketch.operator.backup;

import java.nio.file.Path;

/**
 * A verified snapshot spooled to a local file: its size and SHA-256 (of the file, trailer included)
 * and the store revision in the header of the stream's first message.
 */
record Snapshot(Path file, long size, String sha256, long revision) {}
