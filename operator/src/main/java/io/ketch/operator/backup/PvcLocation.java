package io.ketch.operator.backup;

/**
 * A snapshot file on a volume claim, written {@code pvc://claim/path} in statuses and specs, the
 * path relative to the root of the claim's volume.
 */
record PvcLocation(String claim, String path) {
  static final String SCHEME = "pvc://";

  static PvcLocation parse(String location) {
    if (location == null || !location.startsWith(SCHEME)) {
      throw new BackupException("not a pvc:// location: " + location);
    }
    String rest = location.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      throw new BackupException("a pvc:// location needs a claim and a path: " + location);
    }
    return new PvcLocation(rest.substring(0, slash), rest.substring(slash + 1));
  }

  @Override
  public String toString() {
    return SCHEME + claim + "/" + path;
  }
}
