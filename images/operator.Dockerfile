# The operator's image. Build from the repository root after `./mvnw -pl operator -am package -DskipTests`:
#   docker build -f images/operator.Dockerfile -t ketch/ketch-operator:0.1.0 .
# Daemonless alternative (no Docker): `./mvnw -pl operator -am package jib:build -DskipTests -Djib.to.image=...`
# (docs/operator.md, "Images").
FROM eclipse-temurin:17-jre
COPY operator/target/ketch-operator.jar /opt/ketch/ketch-operator.jar
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/ketch/ketch-operator.jar"]
