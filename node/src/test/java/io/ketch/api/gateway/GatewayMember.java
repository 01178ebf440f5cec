package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ketch.api.ClientApi;
import io.ketch.server.EtcdServer;
import io.ketch.server.Versions;
import io.ketch.server.config.ServerConfigParser;
import io.ketch.server.metrics.Metrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One member in this JVM on a free port, and an HTTP/1.1 client for its JSON gateway. */
final class GatewayMember implements AutoCloseable {
  private final EtcdServer server;
  private final ClientApi api;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  GatewayMember(Path dataDir) throws Exception {
    var config =
        ServerConfigParser.parse(
                List.of(
                    "--data-dir=" + dataDir,
                    "--listen-client-urls=http://127.0.0.1:0",
                    "--advertise-client-urls=http://127.0.0.1:0",
                    "--heartbeat-interval=10",
                    "--election-timeout=100"),
                Map.of())
            .config();
    Metrics metrics = new Metrics(Versions.SERVER);
    server = EtcdServer.start(config, metrics);
    server.ready().get(10, TimeUnit.SECONDS);
    api = ClientApi.start(server, metrics);
  }

  int port() {
    return api.clientPort();
  }

  HttpRequest.Builder request(String path, String json) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
        .header("Content-Type", "application/x-www-form-urlencoded") // what curl -d sends
        .POST(HttpRequest.BodyPublishers.ofString(json, UTF_8));
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return http.send(request(path, json).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() throws Exception {
    api.close();
    server.close();
  }
}
