package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;

/**
 * Init containers and volumes another part of the operator adds to the member pods (the restore
 * step).
 */
public record PodAdditions(List<Container> initContainers, List<Volume> volumes) {
  public static final PodAdditions NONE = new PodAdditions(List.of(), List.of());

  public PodAdditions {
    initContainers = List.copyOf(initContainers);
    volumes = List.copyOf(volumes);
  }
}
