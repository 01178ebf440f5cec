package io.ketch.operator.resources;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodAntiAffinityBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.ketch.operator.model.ClaimRetentionSpec;
import io.ketch.operator.model.EtcdCluster;
import io.ketch.operator.model.EtcdClusterSpec;
import io.ketch.operator.model.PodOverrides;
import io.ketch.operator.model.StorageSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The members' StatefulSet. Its replica count is not spec.replicas: the reconciler moves it one
 * member at a time, after the membership change that makes room for it. Updates are OnDelete: the
 * reconciler replaces one pod at a time, and only while the cluster is healthy, so neither the
 * StatefulSet controller nor a template change can take quorum away. Pods start in parallel, so one
 * stuck pod never blocks the others from being created.
 */
public final class MemberStatefulSet {
  public static final String CONTAINER = "etcd";
  public static final String DATA_VOLUME = "data";
  public static final String DATA_MOUNT = "/var/lib/etcd";

  /**
   * A subdirectory of the mount, so a volume's lost+found never makes the data dir look non-empty.
   */
  public static final String DATA_DIR = DATA_MOUNT + "/data";

  public static final String POD_NAME_ENV = "POD_NAME";

  /**
   * A hash of the pod template, on the template and so on every pod made from it: a pod whose hash
   * differs from the StatefulSet's is outdated and is replaced by the rolling update.
   */
  public static final String TEMPLATE_HASH = EtcdCluster.GROUP + "/template-hash";

  static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";
  private static final Pattern LABEL_VALUE =
      Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");

  private MemberStatefulSet() {}

  public static StatefulSet of(
      EtcdCluster cluster, MemberImage image, int replicas, PodAdditions additions) {
    MemberTopology topology = MemberTopology.of(cluster);
    EtcdClusterSpec spec = cluster.getSpec();
    StorageSpec storage = storage(spec);
    ClaimRetentionSpec retention =
        storage.getClaimRetention() == null
            ? new ClaimRetentionSpec()
            : storage.getClaimRetention();
    StatefulSetBuilder builder =
        new StatefulSetBuilder()
            .withMetadata(Owned.metadata(cluster, topology.statefulSet(), "member"))
            .withNewSpec()
            .withReplicas(replicas)
            .withServiceName(topology.peerService())
            .withPodManagementPolicy("Parallel")
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .withNewSelector()
            .withMatchLabels(Labels.selector(topology.cluster()))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels(cluster, image))
            .withAnnotations(podAnnotations(spec.getPod()))
            .endMetadata()
            .withSpec(podSpec(cluster, image, additions))
            .endTemplate()
            .endSpec();
    if (!Boolean.TRUE.equals(storage.getEmptyDir())) {
      builder
          .editSpec()
          .withVolumeClaimTemplates(claimTemplate(topology, storage))
          .withNewPersistentVolumeClaimRetentionPolicy()
          .withWhenScaled(retention.getWhenScaled().name())
          .withWhenDeleted(retention.getWhenDeleted().name())
          .endPersistentVolumeClaimRetentionPolicy()
          .endSpec();
    }
    StatefulSet statefulSet = builder.build();
    statefulSet
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .put(TEMPLATE_HASH, hash(statefulSet.getSpec().getTemplate()));
    return statefulSet;
  }

  static String hash(PodTemplateSpec template) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static StorageSpec storage(EtcdClusterSpec spec) {
    return spec.getStorage() == null ? new StorageSpec() : spec.getStorage();
  }

  private static Map<String, String> podLabels(EtcdCluster cluster, MemberImage image) {
    Map<String, String> labels = new LinkedHashMap<>();
    PodOverrides pod = cluster.getSpec().getPod();
    if (pod != null && pod.getLabels() != null) {
      labels.putAll(pod.getLabels());
    }
    labels.putAll(Labels.of(cluster.getMetadata().getName(), "member"));
    String version = image.versionFor(cluster.getSpec());
    if (LABEL_VALUE.matcher(version).matches()) {
      labels.put(Labels.VERSION, version);
    }
    return labels;
  }

  private static Map<String, String> podAnnotations(PodOverrides pod) {
    return pod == null || pod.getAnnotations() == null
        ? Map.of()
        : new TreeMap<>(pod.getAnnotations());
  }

  private static PodSpec podSpec(EtcdCluster cluster, MemberImage image, PodAdditions additions) {
    PodOverrides pod =
        cluster.getSpec().getPod() == null ? new PodOverrides() : cluster.getSpec().getPod();
    List<Volume> volumes = new ArrayList<>();
    if (Boolean.TRUE.equals(storage(cluster.getSpec()).getEmptyDir())) {
      volumes.add(
          new VolumeBuilder().withName(DATA_VOLUME).withNewEmptyDir().endEmptyDir().build());
    }
    volumes.addAll(additions.volumes());
    return new PodSpecBuilder()
        .withInitContainers(additions.initContainers())
        .withContainers(memberContainer(cluster, image))
        .withVolumes(volumes)
        .withAffinity(affinity(cluster.getMetadata().getName(), pod))
        .withTolerations(pod.getTolerations())
        .withNodeSelector(pod.getNodeSelector())
        .withTopologySpreadConstraints(pod.getTopologySpreadConstraints())
        .withPriorityClassName(pod.getPriorityClassName())
        // Service links would put ETCD_*-looking variables (from a Service named etcd) into the
        // member's environment.
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(30L)
        .build();
  }

  /**
   * The user's affinity, plus the default pod anti-affinity across nodes unless the user set one.
   */
  static Affinity affinity(String cluster, PodOverrides pod) {
    AffinityBuilder affinity =
        pod.getAffinity() == null ? new AffinityBuilder() : new AffinityBuilder(pod.getAffinity());
    boolean userAntiAffinity =
        pod.getAffinity() != null && pod.getAffinity().getPodAntiAffinity() != null;
    PodOverrides.AntiAffinity mode =
        pod.getAntiAffinity() == null ? PodOverrides.AntiAffinity.Preferred : pod.getAntiAffinity();
    if (!userAntiAffinity && mode != PodOverrides.AntiAffinity.None) {
      PodAffinityTerm acrossNodes =
          new PodAffinityTermBuilder()
              .withTopologyKey(HOSTNAME_TOPOLOGY)
              .withNewLabelSelector()
              .withMatchLabels(Labels.selector(cluster))
              .endLabelSelector()
              .build();
      PodAntiAffinityBuilder antiAffinity = new PodAntiAffinityBuilder();
      if (mode == PodOverrides.AntiAffinity.Required) {
        antiAffinity.withRequiredDuringSchedulingIgnoredDuringExecution(acrossNodes);
      } else {
        antiAffinity
            .addNewPreferredDuringSchedulingIgnoredDuringExecution()
            .withWeight(100)
            .withPodAffinityTerm(acrossNodes)
            .endPreferredDuringSchedulingIgnoredDuringExecution();
      }
      affinity.withPodAntiAffinity(antiAffinity.build());
    }
    Affinity built = affinity.build();
    return built.getNodeAffinity() == null
            && built.getPodAffinity() == null
            && built.getPodAntiAffinity() == null
        ? null
        : built;
  }

  private static Container memberContainer(EtcdCluster cluster, MemberImage image) {
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image.imageFor(cluster.getSpec()))
        .withCommand(image.command())
        .withArgs(memberArgs(cluster))
        .withEnv(memberEnv(cluster))
        .addNewPort()
        .withName(MemberServices.CLIENT_PORT_NAME)
        .withContainerPort(MemberTopology.CLIENT_PORT)
        .endPort()
        .addNewPort()
        .withName(MemberServices.PEER_PORT_NAME)
        .withContainerPort(MemberTopology.PEER_PORT)
        .endPort()
        .withResources(cluster.getSpec().getResources())
        .addNewVolumeMount()
        .withName(DATA_VOLUME)
        .withMountPath(DATA_MOUNT)
        .endVolumeMount()
        // A member restoring a large snapshot or catching up may take minutes before it answers
        // /livez.
        .withStartupProbe(probe("/livez", 5, 120))
        .withLivenessProbe(probe("/livez", 10, 3))
        .withReadinessProbe(probe("/readyz", 5, 3))
        .build();
  }

  /**
   * The member's flags. Its name and URLs come from the pod's name ($(POD_NAME), expanded by the
   * kubelet), so every pod of the template gets its own; the initial cluster and its state come
   * from the member ConfigMap (see {@link MemberConfigMap}). The user's extra flags come last,
   * sorted, and cannot name the operator's (the CRD refuses).
   */
  public static List<String> memberArgs(EtcdCluster cluster) {
    MemberTopology topology = MemberTopology.of(cluster);
    String host =
        "$(" + POD_NAME_ENV + ")." + topology.peerService() + "." + topology.namespace() + ".svc";
    List<String> args = new ArrayList<>();
    args.add("--name=$(" + POD_NAME_ENV + ")");
    args.add("--data-dir=" + DATA_DIR);
    args.add("--listen-peer-urls=http://0.0.0.0:" + MemberTopology.PEER_PORT);
    args.add("--listen-client-urls=http://0.0.0.0:" + MemberTopology.CLIENT_PORT);
    args.add("--initial-advertise-peer-urls=http://" + host + ":" + MemberTopology.PEER_PORT);
    args.add("--advertise-client-urls=http://" + host + ":" + MemberTopology.CLIENT_PORT);
    args.add("--initial-cluster-token=" + MemberTopology.token(cluster));
    Map<String, String> extra = cluster.getSpec().getMemberFlags();
    if (extra != null) {
      new TreeMap<>(extra).forEach((flag, value) -> args.add("--" + flag + "=" + value));
    }
    return args;
  }

  /**
   * The member's environment: its pod name and, from the member ConfigMap, the initial cluster and
   * its state. The restore init containers read the same.
   */
  public static List<EnvVar> memberEnv(EtcdCluster cluster) {
    String configMap = MemberTopology.of(cluster).configMap();
    return List.of(
        new EnvVarBuilder()
            .withName(POD_NAME_ENV)
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .build(),
        fromConfigMap("ETCD_INITIAL_CLUSTER_STATE", configMap, MemberConfigMap.STATE_KEY),
        fromConfigMap("ETCD_INITIAL_CLUSTER", configMap, MemberConfigMap.INITIAL_CLUSTER_KEY));
  }

  private static EnvVar fromConfigMap(String name, String configMap, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewConfigMapKeyRef()
        .withName(configMap)
        .withKey(key)
        .endConfigMapKeyRef()
        .endValueFrom()
        .build();
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString(MemberServices.CLIENT_PORT_NAME))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static PersistentVolumeClaim claimTemplate(MemberTopology topology, StorageSpec storage) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(DATA_VOLUME)
        .withLabels(Labels.selector(topology.cluster()))
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.getStorageClassName())
        .withNewResources()
        .addToRequests("storage", new Quantity(storage.getSize()))
        .endResources()
        .endSpec()
        .build();
  }
}
