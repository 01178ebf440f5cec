package io.ketch.operator.reconcile;

import java.util.Optional;

/**
 * Which volume holds a member's data: recorded in the member ConfigMap as {@code <member id
 * hex>/<volume uid>}. The volume is the member's claim, or its pod for an emptyDir. A member is
 * bound to the first volume seen after it was added; if it later runs on another volume, its data
 * is gone and it must be re-added (a member that rejoined with an empty log under its old identity
 * could make the cluster forget acknowledged writes).
 */
record VolumeBinding(String memberId, String volumeUid) {
  static Optional<VolumeBinding> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    int slash = value.indexOf('/');
    return slash < 0
        ? Optional.empty()
        : Optional.of(new VolumeBinding(value.substring(0, slash), value.substring(slash + 1)));
  }

  boolean bound() {
    return !volumeUid.isEmpty();
  }

  String format() {
    return memberId + "/" + volumeUid;
  }
}
