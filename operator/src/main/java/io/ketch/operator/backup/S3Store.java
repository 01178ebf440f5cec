package io.ketch.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Snapshots as objects in an S3-compatible bucket. Each object carries its SHA-256 and revision as
 * user metadata, so a restore can check what it downloads without the EtcdBackup that wrote it.
 */
final class S3Store implements AutoCloseable {
  static final String SHA256_METADATA = "sha256";
  static final String REVISION_METADATA = "revision";
  static final String SUFFIX = ".db";

  /** What it takes to reach a bucket. */
  record Settings(
      String endpoint,
      String bucket,
      String region,
      boolean pathStyle,
      String accessKeyId,
      String secretAccessKey) {}

  private final S3Client s3;
  private final String bucket;

  S3Store(Settings settings) {
    var builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.of(settings.region()))
            .forcePathStyle(settings.pathStyle())
            // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's
            // default trailing checksums. The SHA-256 is checked on our side instead.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        settings.accessKeyId(), settings.secretAccessKey())));
    if (settings.endpoint() != null && !settings.endpoint().isBlank()) {
      builder.endpointOverride(URI.create(settings.endpoint()));
    }
    this.s3 = builder.build();
    this.bucket = settings.bucket();
  }

  /**
   * Uploads the snapshot, then reads it back and checks its SHA-256 against the one computed while
   * it streamed from the member.
   */
  S3Location put(String key, Snapshot snapshot) {
    S3Location location = new S3Location(bucket, key);
    try {
      s3.putObject(
          put ->
              put.bucket(bucket)
                  .key(key)
                  .contentLength(snapshot.size())
                  .metadata(
                      Map.of(
                          SHA256_METADATA,
                          snapshot.sha256(),
                          REVISION_METADATA,
                          Long.toString(snapshot.revision()))),
          RequestBody.fromFile(snapshot.file()));
      String stored = sha256Of(location);
      if (!stored.equals(snapshot.sha256())) {
        throw new CorruptSnapshotException(
            location
                + " reads back with SHA-256 "
                + stored
                + ", not the uploaded "
                + snapshot.sha256());
      }
      return location;
    } catch (SdkException | IOException e) {
      throw new BackupException("upload to " + location + " failed: " + e.getMessage(), e);
    }
  }

  /** The snapshots under a key prefix, oldest first. */
  List<StoredBackup> list(String prefix) {
    try {
      return s3
          .listObjectsV2Paginator(list -> list.bucket(bucket).prefix(prefix))
          .contents()
          .stream()
          .filter(object -> object.key().endsWith(SUFFIX))
          .map(this::stored)
          .sorted(
              Comparator.comparing(StoredBackup::lastModified)
                  .thenComparing(b -> b.location().key()))
          .toList();
    } catch (SdkException e) {
      throw new BackupException("listing s3://" + bucket + "/" + prefix + " failed: " + e, e);
    }
  }

  Optional<StoredBackup> newest(String prefix) {
    List<StoredBackup> all = list(prefix);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  void delete(S3Location location) {
    try {
      s3.deleteObject(delete -> delete.bucket(location.bucket()).key(location.key()));
    } catch (SdkException e) {
      throw new BackupException("deleting " + location + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Downloads a snapshot to {@code target} (atomically, through a temporary file beside it) and
   * checks it against the SHA-256 in its metadata and against its own trailer.
   */
  void download(S3Location location, Path target) {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    try (ResponseInputStream<GetObjectResponse> in =
            s3.getObject(get -> get.bucket(location.bucket()).key(location.key()));
        OutputStream out = Files.newOutputStream(part)) {
      String sha256 = SnapshotDigest.copy(in, out, location.toString());
      String expected = in.response().metadata().get(SHA256_METADATA);
      if (expected != null && !expected.equals(sha256)) {
        throw new CorruptSnapshotException(
            location + " has SHA-256 " + sha256 + ", not the " + expected + " recorded with it");
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (SdkException | IOException e) {
      throw new BackupException("download of " + location + " failed: " + e.getMessage(), e);
    } finally {
      SnapshotTaker.deleteQuietly(part);
    }
  }

  private String sha256Of(S3Location location) throws IOException {
    try (InputStream in = s3.getObject(get -> get.bucket(location.bucket()).key(location.key()))) {
      return SnapshotDigest.sha256Of(in);
    }
  }

  private StoredBackup stored(S3Object object) {
    return new StoredBackup(
        new S3Location(bucket, object.key()), object.size(), object.lastModified());
  }

  @Override
  public void close() {
    s3.close();
  }
}
