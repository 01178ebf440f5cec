package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;
import java.util.Map;

@ValidationRule(
    value = "!(has(self.image) && has(self.version))",
    message = "set image or version, not both")
@ValidationRule(
    value = "has(self.bootstrap) == has(oldSelf.bootstrap)",
    message = "bootstrap is immutable")
public class EtcdClusterSpec {
  @SpecReplicas
  @Default("3")
  @Min(1)
  @Max(9)
  @JsonPropertyDescription(
      "Number of voting members. Changed one member at a time; odd numbers keep quorum cheap.")
  private Integer replicas = 3;

  @Pattern("^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$")
  @JsonPropertyDescription(
      "Member version: the image is <operator's default repository>:<version>. Changed by a rolling upgrade.")
  private String version;

  @JsonPropertyDescription(
      "Full member image; overrides version. Any etcd-v3-compatible image (Ketch or etcd).")
  private String image;

  @JsonPropertyDescription("Each member's data volume.")
  private StorageSpec storage;

  @JsonPropertyDescription("Compute resources of the member container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("What is added to the member pods.")
  private PodOverrides pod;

  @ValidationRule(
      value =
          "self.all(k, !(k in ['name', 'data-dir', 'initial-cluster', 'initial-cluster-state',"
              + " 'initial-cluster-token', 'initial-advertise-peer-urls', 'advertise-client-urls',"
              + " 'listen-peer-urls', 'listen-client-urls']))",
      message = "these flags are set by the operator")
  @JsonPropertyDescription(
      "Extra member flags without the leading dashes, e.g. {snapshot-count: \"10000\"}; passed as --key=value.")
  @Size(max = 64)
  private Map<String, String> memberFlags;

  @JsonPropertyDescription(
      "The PodDisruptionBudget; by default at most the members quorum can spare may be evicted.")
  private DisruptionBudgetSpec podDisruptionBudget;

  @JsonPropertyDescription("Scheduled backups.")
  private ScheduledBackupSpec backup;

  @ValidationRule(value = "self == oldSelf", message = "bootstrap is immutable")
  @JsonPropertyDescription(
      "How a new cluster starts: empty (the default) or from a backup. Immutable.")
  private BootstrapSpec bootstrap;

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public PodOverrides getPod() {
    return pod;
  }

  public void setPod(PodOverrides pod) {
    this.pod = pod;
  }

  public Map<String, String> getMemberFlags() {
    return memberFlags;
  }

  public void setMemberFlags(Map<String, String> memberFlags) {
    this.memberFlags = memberFlags;
  }

  public DisruptionBudgetSpec getPodDisruptionBudget() {
    return podDisruptionBudget;
  }

  public void setPodDisruptionBudget(DisruptionBudgetSpec podDisruptionBudget) {
    this.podDisruptionBudget = podDisruptionBudget;
  }

  public ScheduledBackupSpec getBackup() {
    return backup;
  }

  public void setBackup(ScheduledBackupSpec backup) {
    this.backup = backup;
  }

  public BootstrapSpec getBootstrap() {
    return bootstrap;
  }

  public void setBootstrap(BootstrapSpec bootstrap) {
    this.bootstrap = bootstrap;
  }
}
