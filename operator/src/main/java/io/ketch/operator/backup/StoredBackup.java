package io.ketch.operator.backup;

import java.time.Instant;

/** A snapshot object as the store lists it. */
record StoredBackup(S3Location location, long size, Instant lastModified) {}
