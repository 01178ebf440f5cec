package io.ketch.operator.resources;

import io.ketch.operator.model.EtcdClusterSpec;
import java.util.List;

/**
 * How the operator turns spec.image or spec.version into the member container: the repository a
 * bare version is looked up in, the version when the spec names neither, and the command (empty:
 * the image's entrypoint, as Ketch's node image has; ["etcd"] for an etcd image).
 */
public record MemberImage(String repository, String defaultVersion, List<String> command) {
  public MemberImage {
    command = List.copyOf(command);
  }

  public String imageFor(EtcdClusterSpec spec) {
    if (spec.getImage() != null) {
      return spec.getImage();
    }
    return repository + ":" + versionFor(spec);
  }

  /** The version label of the members: spec.version, the image's tag, or the default. */
  public String versionFor(EtcdClusterSpec spec) {
    if (spec.getVersion() != null) {
      return spec.getVersion();
    }
    if (spec.getImage() != null) {
      return tagOf(spec.getImage());
    }
    return defaultVersion;
  }

  /**
   * The tag of an image reference ("latest" when it has none; the digest when pinned by digest).
   */
  public static String tagOf(String image) {
    int at = image.indexOf('@');
    if (at >= 0) {
      return image.substring(at + 1);
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    return colon > slash ? image.substring(colon + 1) : "latest";
  }
}
