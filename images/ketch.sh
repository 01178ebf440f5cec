#!/bin/sh
# A Ketch member in a container: the JVM flags Chronicle Queue needs, then etcd's flags as given.
# shellcheck disable=SC2046,SC2086
exec java $(cat /opt/ketch/jvm.flags) ${KETCH_JAVA_OPTS:--XX:MaxRAMPercentage=75} \
  -cp /opt/ketch/ketch-node.jar "${KETCH_MAIN:-io.ketch.launch.KetchMain}" "$@"
