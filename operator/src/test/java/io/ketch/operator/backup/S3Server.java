package io.ketch.operator.backup;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/** An S3-compatible server in the test JVM: s3proxy over jclouds' in-memory blob store. */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "backup-access";
  static final String SECRET_KEY = "backup-secret";
  static final String BUCKET = "snapshots";

  final BlobStore blobs;
  private final BlobStoreContext context;
  private final S3Proxy proxy;

  S3Server() throws Exception {
    context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    blobs = context.getBlobStore();
    blobs.createContainerInLocation(null, BUCKET);
    proxy =
        S3Proxy.builder()
            .blobStore(blobs)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.onSpinWait();
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + proxy.getPort();
  }

  S3Store.Settings settings() {
    return new S3Store.Settings(endpoint(), BUCKET, "us-east-1", true, ACCESS_KEY, SECRET_KEY);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    context.close();
  }
}
