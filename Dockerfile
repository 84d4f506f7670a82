# One image recipe for the three services: docker build --build-arg MODULE=api-gateway .
# The build stage compiles the whole reactor once, so the three images share its cached layers.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY common/pom.xml common/
COPY delivery-engine/pom.xml delivery-engine/
COPY test-support/pom.xml test-support/
COPY api-gateway/pom.xml api-gateway/
COPY notification-service/pom.xml notification-service/
COPY webhook-service/pom.xml webhook-service/
RUN ./mvnw -B -q -ntp dependency:go-offline -DexcludeArtifactIds=relay-common,relay-delivery-engine,relay-test-support || true
COPY . .
RUN ./mvnw -B -q -ntp package -DskipTests

FROM eclipse-temurin:17-jre
ARG MODULE
RUN useradd --system --uid 10001 relay
COPY --from=build /src/${MODULE}/target/*-exec.jar /app/app.jar
USER 10001
# Heap follows the container's memory limit.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
