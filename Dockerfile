# The streamlearn app image: one image for every command (train, serve, dashboard, produce, tail,
# demo). Build the jar first, then the image (compose/docker-compose.yml does the second step):
#   ./mvnw -B -DskipTests package && docker build -t streamlearn:0.1.0 .
FROM eclipse-temurin:17-jre

# curl for the health checks of compose/docker-compose.yml
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 streamlearn

WORKDIR /opt/streamlearn
COPY streams-app/target/lib/ lib/
COPY streams-app/target/streamlearn.jar streamlearn.jar

USER streamlearn
# ND4J is fastest with one OpenMP thread per process on small machines; it unpacks its native
# libraries into ~/.javacpp/cache on first start.
ENV OMP_NUM_THREADS=1 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
ENTRYPOINT ["java", "-jar", "/opt/streamlearn/streamlearn.jar"]
CMD ["--help"]
