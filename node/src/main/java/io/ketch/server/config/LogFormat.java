package io.ketch.server.config;

/**
 * --log-format. etcd 3.6 knows json (its default) and console; Ketch defaults to TEXT (the
 * human-readable form, "console" and "text" both name it) and switches to JSON on request.
 */
public enum LogFormat {
  TEXT,
  JSON
}
