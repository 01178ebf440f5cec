package io.ketch.operator.backup;

/** An object in a bucket, written {@code s3://bucket/key} in statuses and specs. */
record S3Location(String bucket, String key) {
  private static final String SCHEME = "s3://";

  static S3Location parse(String location) {
    if (location == null || !location.startsWith(SCHEME)) {
      throw new BackupException("not an s3:// location: " + location);
    }
    String rest = location.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new BackupException("an s3:// location needs a bucket and a key: " + location);
    }
    return new S3Location(rest.substring(0, slash), rest.substring(slash + 1));
  }

  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
