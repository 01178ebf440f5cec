package io.ketch.cli;

import io.ketch.pb.etcdserver.WatchCreateRequest;
import io.ketch.pb.etcdserver.WatchGrpc;
import io.ketch.pb.etcdserver.WatchRequest;
import io.ketch.pb.etcdserver.WatchResponse;
import io.ketch.pb.mvcc.Event;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** watch: prints events as they come, until interrupted or cancelled by the server. */
@Command(name = "watch", description = "Watches events stream on keys or prefixes")
final class WatchCommand implements Callable<Integer> {
  private static final String COMPACTED = "etcdserver: mvcc: required revision has been compacted";

  private final Session session;

  @Parameters(index = "0", paramLabel = "key")
  String key;

  @Parameters(index = "1", arity = "0..1", paramLabel = "range_end")
  String rangeEnd;

  @Option(names = "--prefix", description = "watch on a prefix if prefix is set")
  boolean prefix;

  @Option(names = "--rev", defaultValue = "0", description = "revision to start watching")
  long rev;

  @Option(
      names = "--prev-kv",
      description = "get the previous key-value pair before the event happens")
  boolean prevKv;

  @Option(
      names = "--progress-notify",
      description = "get periodic watch progress notification from server")
  boolean progressNotify;

  WatchCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (prefix && rangeEnd != null) {
      throw CliException.badArgs("`range_end` and `--prefix` are mutually exclusive");
    }
    KeyRange range = KeyRange.of(key, rangeEnd, prefix, false);
    GlobalOptions.Format format = session.globals.formatWithoutTable();
    WatchCreateRequest create =
        WatchCreateRequest.newBuilder()
            .setKey(range.key())
            .setRangeEnd(range.rangeEnd())
            .setStartRevision(rev)
            .setPrevKv(prevKv)
            .setProgressNotify(progressNotify)
            .build();
    try (Streams.Bidi<WatchRequest, WatchResponse> stream =
        Streams.open(WatchGrpc.newStub(session.channel())::watch)) {
      stream.send(WatchRequest.newBuilder().setCreateRequest(create).build());
      for (WatchResponse response = stream.next(); response != null; response = stream.next()) {
        if (response.getCreated() && !response.getCanceled()) {
          continue; // clientv3 does not hand the creation acknowledgement to etcdctl
        }
        print(response, format);
        if (response.getCanceled()) {
          String reason =
              response.getCompactRevision() != 0 ? COMPACTED : response.getCancelReason();
          session.err.println("watch was canceled (" + reason + ")");
          break;
        }
      }
    }
    throw new CliException(CliException.INTERRUPTED, "watch is canceled by the server");
  }

  private void print(WatchResponse response, GlobalOptions.Format format) {
    boolean progress =
        response.getEventsCount() == 0
            && !response.getCanceled()
            && response.getCompactRevision() == 0;
    if (progress) {
      session.out.println("progress notify: " + response.getHeader().getRevision());
    }
    if (format == GlobalOptions.Format.json) {
      // Go's json of clientv3.WatchResponse: exported field names, no omitempty.
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("Header", response.getHeader());
      json.put("Events", response.getEventsCount() == 0 ? null : response.getEventsList());
      json.put("CompactRevision", response.getCompactRevision());
      json.put("Canceled", response.getCanceled());
      json.put("Created", response.getCreated());
      session.output().json(json);
      return;
    }
    Output output = session.output();
    for (Event event : response.getEventsList()) {
      session.out.println(event.getType().name());
      if (event.hasPrevKv()) {
        output.kv(event.getPrevKv(), false);
      }
      output.kv(event.getKv(), false);
    }
  }
}
