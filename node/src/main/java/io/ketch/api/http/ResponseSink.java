package io.ketch.api.http;

/**
 * The body of a streaming response, e.g. the JSON gateway's /v3/watch writing one JSON object per
 * line as events come. Thread-safe; writes after close are dropped.
 */
public interface ResponseSink {

  /** Sends one chunk now. */
  void write(byte[] chunk);

  /** Ends the response. */
  void close();

  /** False once closed by either side. */
  boolean isOpen();

  /**
   * False while the connection's outbound buffer is above its high-water mark: a producer that can
   * wait (a watch) should hold back until {@link #onWritable} runs.
   */
  boolean isWritable();

  /** Runs {@code callback} once the sink can take more after {@link #isWritable()} was false. */
  void onWritable(Runnable callback);

  /** Runs {@code callback} once, when the response ends or the client goes away. */
  void onClose(Runnable callback);
}
