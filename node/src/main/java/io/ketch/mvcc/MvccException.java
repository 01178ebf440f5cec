package io.ketch.mvcc;

/** A store error whose message is etcd's own text (clients match on it). */
public class MvccException extends RuntimeException {
  MvccException(String message) {
    super(message);
  }
}
