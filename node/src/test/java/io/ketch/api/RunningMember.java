package io.ketch.api;

import io.etcd.jetcd.Client;
import io.ketch.server.EtcdServer;
import io.ketch.server.Versions;
import io.ketch.server.config.ServerConfigParser;
import io.ketch.server.metrics.Metrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A single member in this JVM on a free port, its data in {@code dataDir}; restartable on the same
 * data.
 */
public final class RunningMember implements AutoCloseable {
  private final Path dataDir;
  private final List<String> extraFlags;
  private EtcdServer server;
  private ClientApi api;

  public RunningMember(Path dataDir, String... extraFlags) throws Exception {
    this.dataDir = dataDir;
    this.extraFlags = List.of(extraFlags);
    start();
  }

  void start() throws Exception {
    List<String> args = new ArrayList<>();
    args.add("--data-dir=" + dataDir);
    args.add("--listen-client-urls=http://127.0.0.1:0");
    args.add("--advertise-client-urls=http://127.0.0.1:0");
    args.add("--listen-peer-urls=http://127.0.0.1:0");
    args.add("--heartbeat-interval=10");
    args.add("--election-timeout=100");
    args.addAll(extraFlags);
    var config = ServerConfigParser.parse(args, Map.of()).config();
    Metrics metrics = new Metrics(Versions.SERVER);
    server = EtcdServer.start(config, metrics);
    server.ready().get(10, java.util.concurrent.TimeUnit.SECONDS);
    api = ClientApi.start(server, metrics);
  }

  public void restart() throws Exception {
    stop();
    start();
  }

  public EtcdServer server() {
    return server;
  }

  public int port() {
    return api.clientPorts().get(0);
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  public Client client() {
    return Client.builder().endpoints(endpoint()).build();
  }

  void stop() throws Exception {
    api.close();
    server.close();
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
