package io.ketch.e2e.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the StatefulSet controller and the kubelet do, against the mock API server, for one
 * namespace. The StatefulSet side makes pods 0..replicas-1 from the current template (with a claim
 * each) and deletes those beyond (and their claims when the retention policy says Delete); it never
 * changes a pod (OnDelete), so a template change reaches a pod only when the operator deletes it.
 * The kubelet side runs each pod: its init containers as commands, then the member container as a
 * real Ketch process (io.ketch.launch.KetchMain with the pod's args and env), on the pod's own
 * loopback address with the standard ports; a claim's volume is a directory named by the claim's
 * uid, so a new claim starts empty and a restarted pod keeps its data. Ready follows /readyz. A Job
 * gets one pod, run to completion with its claims mounted, its termination message read from the
 * file its container names, and its status set Complete or Failed (no retries).
 */
final class StandInNodes implements AutoCloseable {
  private static final String JOB_NAME = "job-name";
  private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final KubernetesClient client;
  private final String namespace;
  private final LoopbackAddresses addresses;
  private final Path root;
  private final Path operatorJar;
  private final Path bin;
  private final Map<String, RunningPod> running = new ConcurrentHashMap<>();
  private final Set<String> starting = ConcurrentHashMap.newKeySet();
  private final Set<String> jobs = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService starter = Executors.newCachedThreadPool();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  /**
   * A pod the kubelet runs; its member container is restarted when it exits (restartPolicy Always).
   */
  private static final class RunningPod {
    static final Duration RESTART_BACKOFF = Duration.ofSeconds(3);

    final String name;
    final String ip;
    final List<String> command;
    final Map<String, String> env;
    final String log;
    volatile Process member;
    volatile long startedAt = System.nanoTime();
    volatile boolean ready;

    RunningPod(String name, String ip, List<String> command, Map<String, String> env, String log) {
      this.name = name;
      this.ip = ip;
      this.command = command;
      this.env = env;
      this.log = log;
      this.member = Processes.start(command, env, log);
    }

    void restartIfExited() {
      if (!member.isAlive() && System.nanoTime() - startedAt > RESTART_BACKOFF.toNanos()) {
        startedAt = System.nanoTime();
        member = Processes.start(command, env, log);
      }
    }
  }

  StandInNodes(
      KubernetesClient client,
      String namespace,
      LoopbackAddresses addresses,
      Path root,
      Path operatorJar) {
    this.client = client;
    this.namespace = namespace;
    this.addresses = addresses;
    this.root = root;
    this.operatorJar = operatorJar;
    this.bin = root.resolve("bin");
    writeKetchctl();
  }

  void start() {
    loop.scheduleWithFixedDelay(this::syncQuietly, 0, 300, TimeUnit.MILLISECONDS);
  }

  private void syncQuietly() {
    try {
      sync();
    } catch (RuntimeException e) {
      System.err.println("stand-in nodes: " + e);
    }
  }

  private void sync() {
    Map<String, Pod> pods =
        client.pods().inNamespace(namespace).list().getItems().stream()
            .collect(Collectors.toMap(p -> p.getMetadata().getUid(), p -> p));
    // Pods that went away stop first, so a replacement never meets its predecessor's ports.
    for (String uid : List.copyOf(running.keySet())) {
      if (!pods.containsKey(uid)) {
        Processes.stop(running.remove(uid).member);
      }
    }
    for (StatefulSet sts : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      syncStatefulSet(sts);
    }
    for (Job job : client.batch().v1().jobs().inNamespace(namespace).list().getItems()) {
      syncJob(job);
    }
    for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
      String uid = pod.getMetadata().getUid();
      if (!running.containsKey(uid) && starting.add(uid)) {
        if (pod.getMetadata().getLabels().containsKey(JOB_NAME)) {
          starter.submit(() -> runJobPod(pod));
        } else {
          starter.submit(() -> runPod(pod));
        }
      }
    }
    for (Map.Entry<String, RunningPod> entry : running.entrySet()) {
      RunningPod pod = entry.getValue();
      pod.restartIfExited();
      boolean ready = pod.member.isAlive() && readyz(pod.ip);
      if (ready != pod.ready) {
        pod.ready = ready;
        setStatus(pod.name, pod.ip, ready);
      }
    }
  }

  private void syncStatefulSet(StatefulSet sts) {
    String set = sts.getMetadata().getName();
    int replicas = sts.getSpec().getReplicas();
    boolean deleteClaims =
        sts.getSpec().getPersistentVolumeClaimRetentionPolicy() != null
            && "Delete"
                .equals(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled());
    for (Pod pod :
        client
            .pods()
            .inNamespace(namespace)
            .withLabels(sts.getSpec().getSelector().getMatchLabels())
            .list()
            .getItems()) {
      int ordinal = ordinal(set, pod.getMetadata().getName());
      if (ordinal >= replicas) {
        client.resource(pod).delete();
        if (deleteClaims) {
          for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
            client
                .persistentVolumeClaims()
                .inNamespace(namespace)
                .withName(template.getMetadata().getName() + "-" + pod.getMetadata().getName())
                .delete();
          }
        }
      }
    }
    for (int i = 0; i < replicas; i++) {
      String name = set + "-" + i;
      for (PersistentVolumeClaim template : sts.getSpec().getVolumeClaimTemplates()) {
        String claim = template.getMetadata().getName() + "-" + name;
        if (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
          client
              .resource(
                  new PersistentVolumeClaimBuilder(template)
                      .editMetadata()
                      .withName(claim)
                      .withNamespace(namespace)
                      .withUid(UUID.randomUUID().toString())
                      .endMetadata()
                      .build())
              .create();
        }
      }
      if (client.pods().inNamespace(namespace).withName(name).get() == null) {
        var template = sts.getSpec().getTemplate();
        createPendingPod(
            name,
            template.getMetadata().getLabels(),
            template.getMetadata().getAnnotations(),
            template.getSpec());
      }
    }
  }

  /** The Job controller, for Jobs of one pod that is never retried: the pod, once. */
  private void syncJob(Job job) {
    if (!jobs.add(job.getMetadata().getUid())) {
      return;
    }
    var template = job.getSpec().getTemplate();
    Map<String, String> labels = new HashMap<>(template.getMetadata().getLabels());
    labels.put(JOB_NAME, job.getMetadata().getName());
    createPendingPod(
        job.getMetadata().getName() + "-" + UUID.randomUUID().toString().substring(0, 5),
        labels,
        Map.of(),
        template.getSpec());
  }

  /** A pod as its controller creates it, before the kubelet has seen it. */
  private void createPendingPod(
      String name, Map<String, String> labels, Map<String, String> annotations, PodSpec spec) {
    client
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withUid(UUID.randomUUID().toString())
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withSpec(spec)
                .withNewStatus()
                .withPhase("Pending")
                .endStatus()
                .build())
        .create();
  }

  /**
   * A Job's pod: its container's command to completion, with its claims mounted and its termination
   * message file; then the pod's and the Job's status as their controllers set them.
   */
  private void runJobPod(Pod pod) {
    String uid = pod.getMetadata().getUid();
    String name = pod.getMetadata().getName();
    try {
      Container container = pod.getSpec().getContainers().get(0);
      Path message =
          Files.createDirectories(root.resolve("pods").resolve(uid)).resolve("termination-log");
      Map<String, String> mounts = new HashMap<>();
      mounts.put("/opt/ketch/ketch-operator.jar", operatorJar.toString());
      mounts.put(container.getTerminationMessagePath(), message.toString());
      for (var mount : container.getVolumeMounts()) {
        for (var volume : pod.getSpec().getVolumes()) {
          if (volume.getName().equals(mount.getName())
              && volume.getPersistentVolumeClaim() != null) {
            mounts.put(
                mount.getMountPath(),
                claimVolume(volume.getPersistentVolumeClaim().getClaimName()).toString());
          }
        }
      }
      Map<String, String> env = env(pod, container);
      List<String> command = command(container, env, mounts);
      if (command.get(0).equals(Processes.java())) {
        command.add(1, "-Djdk.net.hosts.file=" + addresses.hostsFile());
      }
      int exit = Processes.run(command, env, name);
      String text = Files.exists(message) ? Files.readString(message) : "";
      client
          .pods()
          .inNamespace(namespace)
          .withName(name)
          .editStatus(
              p -> {
                p.getStatus().setPhase(exit == 0 ? "Succeeded" : "Failed");
                p.getStatus()
                    .setContainerStatuses(
                        List.of(
                            new ContainerStatusBuilder()
                                .withName(container.getName())
                                .withNewState()
                                .withNewTerminated()
                                .withExitCode(exit)
                                .withMessage(text)
                                .endTerminated()
                                .endState()
                                .build()));
                return p;
              });
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(pod.getMetadata().getLabels().get(JOB_NAME))
          .editStatus(
              j -> {
                j.setStatus(
                    new JobStatusBuilder()
                        .addNewCondition()
                        .withType(exit == 0 ? "Complete" : "Failed")
                        .withStatus("True")
                        .endCondition()
                        .build());
                return j;
              });
    } catch (IOException | RuntimeException e) {
      System.err.println("stand-in kubelet: job pod " + name + " failed: " + e);
    }
  }

  private Path claimVolume(String claim) throws IOException {
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
    if (pvc == null) {
      throw new IllegalStateException("claim " + claim + " not found");
    }
    return Files.createDirectories(root.resolve("volumes").resolve(pvc.getMetadata().getUid()));
  }

  private static int ordinal(String set, String pod) {
    String digits = pod.substring(set.length() + 1);
    return digits.chars().allMatch(Character::isDigit) ? Integer.parseInt(digits) : -1;
  }

  private void runPod(Pod pod) {
    String uid = pod.getMetadata().getUid();
    String name = pod.getMetadata().getName();
    try {
      String ip = addresses.ip(name);
      Path volume = volume(pod);
      Path restore = Files.createDirectories(root.resolve("pods").resolve(uid).resolve("restore"));
      Map<String, String> mounts =
          Map.of(
              "/var/lib/etcd",
              volume.toString(),
              "/restore",
              restore.toString(),
              "/opt/ketch/ketch-operator.jar",
              operatorJar.toString(),
              "0.0.0.0",
              ip);
      String log = name + "-" + uid.substring(uid.length() - 8);
      for (Container init : pod.getSpec().getInitContainers()) {
        Map<String, String> env = env(pod, init);
        List<String> command = command(init, env, mounts);
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        int exit = Processes.run(command, env, log + "-" + init.getName());
        if (exit != 0) {
          throw new IllegalStateException("init container " + init.getName() + " exited " + exit);
        }
      }
      Container member = pod.getSpec().getContainers().get(0);
      Map<String, String> env = env(pod, member);
      List<String> command =
          Processes.ketchJava(addresses.hostsFile(), "io.ketch.launch.KetchMain");
      for (String arg : member.getArgs()) {
        command.add(substitute(arg, env, mounts));
      }
      running.put(uid, new RunningPod(name, ip, command, env, log));
      setStatus(name, ip, false);
    } catch (IOException | RuntimeException e) {
      System.err.println("stand-in kubelet: pod " + name + " failed to start: " + e);
      starting.remove(uid); // tried again at the next sync, as a kubelet restarts a failed pod
      return;
    }
  }

  private Path volume(Pod pod) throws IOException {
    String claim = "data-" + pod.getMetadata().getName();
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get();
    String id = pvc == null ? "pod-" + pod.getMetadata().getUid() : pvc.getMetadata().getUid();
    return Files.createDirectories(root.resolve("volumes").resolve(id));
  }

  private Map<String, String> env(Pod pod, Container container) {
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      String value = var.getValue();
      if (var.getValueFrom() != null) {
        var from = var.getValueFrom();
        if (from.getFieldRef() != null) {
          value =
              "metadata.name".equals(from.getFieldRef().getFieldPath())
                  ? pod.getMetadata().getName()
                  : null;
        } else if (from.getConfigMapKeyRef() != null) {
          ConfigMap map =
              client
                  .configMaps()
                  .inNamespace(namespace)
                  .withName(from.getConfigMapKeyRef().getName())
                  .get();
          value = map == null ? null : map.getData().get(from.getConfigMapKeyRef().getKey());
        } else if (from.getSecretKeyRef() != null) {
          Secret secret =
              client
                  .secrets()
                  .inNamespace(namespace)
                  .withName(from.getSecretKeyRef().getName())
                  .get();
          String key = from.getSecretKeyRef().getKey();
          if (secret.getData() != null && secret.getData().containsKey(key)) {
            value =
                new String(
                    Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
          } else if (secret.getStringData() != null) {
            value = secret.getStringData().get(key);
          }
        }
      }
      if (value == null) {
        throw new IllegalStateException("no value for " + var.getName() + " yet");
      }
      env.put(var.getName(), value);
    }
    return env;
  }

  /** $(VAR) expansion as the kubelet does it, then the mounts and the pod's address. */
  private static String substitute(
      String text, Map<String, String> env, Map<String, String> mounts) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
    }
    m.appendTail(out);
    String result = out.toString();
    for (Map.Entry<String, String> mount : mounts.entrySet()) {
      // A whole path only: "/restore" must not match inside "http://restored-0".
      result =
          mount.getKey().startsWith("/")
              ? result.replaceAll(
                  "(?<![\\w/.])" + Pattern.quote(mount.getKey()) + "(?![\\w.-])",
                  Matcher.quoteReplacement(mount.getValue()))
              : result.replace(mount.getKey(), mount.getValue());
    }
    return result;
  }

  /** A container's command and args with variables and mounts substituted, "java" made ours. */
  private static List<String> command(
      Container container, Map<String, String> env, Map<String, String> mounts) {
    List<String> command = new ArrayList<>();
    for (List<String> parts : Arrays.asList(container.getCommand(), container.getArgs())) {
      for (String part : parts == null ? List.<String>of() : parts) {
        command.add(substitute(part, env, mounts));
      }
    }
    if (command.get(0).equals("java")) {
      command.set(0, Processes.java());
    }
    return command;
  }

  private boolean readyz(String ip) {
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + ip + ":2379/readyz"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void setStatus(String name, String ip, boolean ready) {
    PodCondition condition =
        new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build();
    client
        .pods()
        .inNamespace(namespace)
        .withName(name)
        .editStatus(
            p -> {
              p.getStatus().setPhase("Running");
              p.getStatus().setPodIP(ip);
              p.getStatus().setConditions(List.of(condition));
              return p;
            });
  }

  /** ketchctl on the restore container's PATH: Ketch's CLI from this classpath. */
  private void writeKetchctl() {
    try {
      Files.createDirectories(bin);
      Path ketchctl = bin.resolve("ketchctl");
      String command =
          Processes.ketchJava(addresses.hostsFile(), "io.ketch.cli.KetchCtl").stream()
              .map(s -> "'" + s.replace("'", "'\\''") + "'")
              .collect(Collectors.joining(" "));
      Files.writeString(ketchctl, "#!/bin/sh\nexec " + command + " \"$@\"\n");
      Files.setPosixFilePermissions(ketchctl, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The member processes now running, by pod name. */
  Map<String, String> runningPods() {
    return running.values().stream().collect(Collectors.toMap(p -> p.name, p -> p.ip));
  }

  @Override
  public void close() {
    loop.shutdownNow();
    starter.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.values().forEach(p -> Processes.stop(p.member));
    running.clear();
  }
}
