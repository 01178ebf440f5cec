package io.ketch.cli;

/** A command's failure: the message printed after "Error: " and the process exit code. */
final class CliException extends RuntimeException {
  // etcdctl's exit codes (etcdctl/ctlv3/command/error.go).
  static final int ERROR = 1;
  static final int BAD_CONNECTION = 2;
  static final int BAD_FEATURE = 4;
  static final int INTERRUPTED = 5;
  static final int IO = 6;
  static final int BAD_ARGS = 128;

  final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException badArgs(String message) {
    return new CliException(BAD_ARGS, message);
  }
}
