# The streamlearn images, built from the jars (build them first; compose/docker-compose.yml does the
# second step):
#   ./mvnw -B -DskipTests install
#   docker build -t streamlearn:0.1.0 .                          # runtime: no broker, no test kit
#   docker build --target tools -t streamlearn-tools:0.1.0 .    # + produce, demo, bench
#
# runtime runs the services (train, serve, registry, models, dashboard, tail) from the cli module's
# jar, whose classpath the build keeps free of the broker and the test kit. tools adds the tools
# module's jar (the generators behind `produce --generator`, the embedded broker of the demo).
FROM eclipse-temurin:17-jre AS base

# curl for the health checks of compose/docker-compose.yml; libopenblas0, the system OpenBLAS the
# engine loads instead of ND4J's bundled 0.3.19 when it is at least as new (Ubuntu jammy's is 0.3.20;
# the engine logs which one it runs on at start-up)
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl libopenblas0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 streamlearn
WORKDIR /opt/streamlearn
# ND4J is fastest with one OpenMP thread per process on small machines; it unpacks its native
# libraries into ~/.javacpp/cache on first start.
ENV OMP_NUM_THREADS=1 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"

FROM base AS tools
COPY streams-app/tools/target/lib/ lib/
COPY streams-app/tools/target/streamlearn-tools.jar streamlearn-tools.jar
USER streamlearn
ENTRYPOINT ["java", "-jar", "/opt/streamlearn/streamlearn-tools.jar"]
CMD ["--help"]

FROM base AS runtime
COPY streams-app/cli/target/lib/ lib/
COPY streams-app/cli/target/streamlearn.jar streamlearn.jar
USER streamlearn
ENTRYPOINT ["java", "-jar", "/opt/streamlearn/streamlearn.jar"]
CMD ["--help"]
