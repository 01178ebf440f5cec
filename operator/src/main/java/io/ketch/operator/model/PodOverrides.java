package io.ketch.operator.model;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import java.util.List;
import java.util.Map;

/** What a user adds to the member pods; the operator's own labels, flags and probes always win. */
public class PodOverrides {
  /**
   * The anti-affinity the operator adds when spec.pod.affinity does not set a pod anti-affinity.
   */
  public enum AntiAffinity {
    /** Prefer members on different nodes (default). */
    Preferred,
    /** Require members on different nodes. */
    Required,
    /** No anti-affinity from the operator. */
    None
  }

  @JsonPropertyDescription("Labels added to the member pods.")
  private Map<String, String> labels;

  @JsonPropertyDescription("Annotations added to the member pods.")
  private Map<String, String> annotations;

  @JsonPropertyDescription(
      "Affinity of the member pods; a podAntiAffinity here replaces the operator's default.")
  private Affinity affinity;

  @Default("Preferred")
  @JsonPropertyDescription("The default anti-affinity across nodes: Preferred, Required or None.")
  private AntiAffinity antiAffinity = AntiAffinity.Preferred;

  @JsonPropertyDescription("Tolerations of the member pods.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Node selector of the member pods.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Topology spread constraints of the member pods.")
  private List<TopologySpreadConstraint> topologySpreadConstraints;

  @JsonPropertyDescription("Priority class of the member pods.")
  private String priorityClassName;

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public AntiAffinity getAntiAffinity() {
    return antiAffinity;
  }

  public void setAntiAffinity(AntiAffinity antiAffinity) {
    this.antiAffinity = antiAffinity;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<TopologySpreadConstraint> getTopologySpreadConstraints() {
    return topologySpreadConstraints;
  }

  public void setTopologySpreadConstraints(
      List<TopologySpreadConstraint> topologySpreadConstraints) {
    this.topologySpreadConstraints = topologySpreadConstraints;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }
}
