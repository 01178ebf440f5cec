package io.ketch.api.gateway;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.ketch.api.RunningMember;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

/** One member in this JVM on a free port, and an HTTP/1.1 client for its JSON gateway. */
final class GatewayMember implements AutoCloseable {
  private final RunningMember member;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  GatewayMember(Path dataDir) throws Exception {
    member = new RunningMember(dataDir);
  }

  int port() {
    return member.port();
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
    member.close();
  }
}
