package io.ketch.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Blocking use of gRPC's async streams: the command's thread sends, then takes what arrived. */
final class Streams {
  private Streams() {}

  /** One element of what the server sent: a message, the end of the stream, or its error. */
  private record Arrival<T>(T message, Status status) {}

  static <Q, R> Bidi<Q, R> open(Function<StreamObserver<R>, StreamObserver<Q>> call) {
    Bidi<Q, R> bidi = new Bidi<>();
    bidi.requests = call.apply(bidi.receiver());
    return bidi;
  }

  /** Collects a server stream's responses into a queue the caller drains. */
  static class Inbox<R> {
    private final BlockingQueue<Arrival<R>> arrivals = new LinkedBlockingQueue<>();

    StreamObserver<R> receiver() {
      return new StreamObserver<>() {
        @Override
        public void onNext(R value) {
          arrivals.add(new Arrival<>(value, null));
        }

        @Override
        public void onError(Throwable t) {
          arrivals.add(new Arrival<>(null, Status.fromThrowable(t)));
        }

        @Override
        public void onCompleted() {
          arrivals.add(new Arrival<>(null, Status.OK));
        }
      };
    }

    /**
     * The next message; null when the stream ended cleanly; throws its error. Waits at most
     * timeout.
     */
    R next(Duration timeout) throws InterruptedException {
      Arrival<R> arrival = arrivals.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (arrival == null) {
        throw new StatusRuntimeException(Status.DEADLINE_EXCEEDED);
      }
      return unwrap(arrival);
    }

    /** The next message, waiting as long as it takes; null when the stream ended cleanly. */
    R next() throws InterruptedException {
      return unwrap(arrivals.take());
    }

    private R unwrap(Arrival<R> arrival) {
      if (arrival.status() != null && !arrival.status().isOk()) {
        throw arrival.status().asRuntimeException();
      }
      return arrival.message();
    }
  }

  /** A bidirectional stream: requests go out, responses wait in the inbox. */
  static final class Bidi<Q, R> extends Inbox<R> implements AutoCloseable {
    private StreamObserver<Q> requests;

    void send(Q request) {
      requests.onNext(request);
    }

    @Override
    public void close() {
      try {
        requests.onCompleted();
      } catch (IllegalStateException alreadyClosed) {
        // the server ended the call first; nothing to close
      }
    }
  }
}
