# A Ketch member's image: `ketch` (the member, etcd's flags and ETCD_* variables) is the entrypoint, and `ketchctl`
# (etcdctl's commands, snapshot restore included) is on the PATH. Build from the repository root after
# `./mvnw -pl node -am package -DskipTests`:
#   docker build -f images/node.Dockerfile -t ketch/ketch-node:0.1.0 .
FROM eclipse-temurin:17-jre
COPY node/target/ketch-node.jar node/target/jvm.flags node/target/member.flags /opt/ketch/
COPY node/target/lib /opt/ketch/lib
COPY images/ketch.sh /usr/local/bin/ketch
COPY images/ketchctl.sh /usr/local/bin/ketchctl
USER 65532:65532
EXPOSE 2379 2380
ENTRYPOINT ["/usr/local/bin/ketch"]
