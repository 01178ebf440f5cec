package io.ketch.api;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Answers a unary call from a future without blocking the thread that received it. */
final class Replies {
  private Replies() {}

  static <T> void unary(StreamObserver<T> observer, Supplier<CompletableFuture<T>> call) {
    CompletableFuture<T> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      observer.onError(EtcdStatus.of(e));
      return;
    }
    future.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            observer.onError(EtcdStatus.of(failure));
          } else {
            observer.onNext(value);
            observer.onCompleted();
          }
        });
  }

  static <T> void now(StreamObserver<T> observer, Supplier<T> call) {
    unary(observer, () -> CompletableFuture.completedFuture(call.get()));
  }
}
