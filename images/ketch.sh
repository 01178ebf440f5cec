#!/bin/sh
# A Ketch member in a container: the JVM flags Chronicle Queue needs, the member's heap policy, then etcd's flags
# as given. KETCH_JAVA_OPTS (default: a heap of at most 75% of the container's memory) comes last and wins.
# shellcheck disable=SC2046,SC2086
exec java $(cat /opt/ketch/jvm.flags) $(cat /opt/ketch/member.flags) ${KETCH_JAVA_OPTS:--XX:MaxRAMPercentage=75} \
  -cp /opt/ketch/ketch-node.jar "${KETCH_MAIN:-io.ketch.launch.KetchMain}" "$@"
