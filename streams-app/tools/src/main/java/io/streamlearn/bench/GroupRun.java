package io.streamlearn.bench;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.app.OpsServer;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.train.GroupStats;
import io.streamlearn.train.Trainer;
import io.streamlearn.train.TrainerClock;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerSettings;
import io.streamlearn.train.TrainerStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One timed run of a trainer group (or of a plain single trainer) over a pre-filled topic, in this
 * JVM: {@code N} {@link Trainer}s, each with its own {@link OpsServer} and its own {@code
 * group.member}, started together. The clock starts when any of them has consumed a record (start-up
 * and the first join are counted apart, as {@link TrainerRun} does) and stops at the creation time
 * of the first version whose lineage, with its predecessors', covers every offset of the input.
 * Once the members have consumed every input record between them (as many records as the input
 * holds, and every partition read to its end by some member's consumer) they have {@link #TAIL} to
 * publish such a version running; then they are asked to stop, the group's publisher last (after it
 * took the others' partitions), so that the version it publishes as it stops folds what they sent
 * as they stopped.
 */
final class GroupRun {
  private static final Logger log = LoggerFactory.getLogger(GroupRun.class);
  /** The consumer's gauge of its assigned partitions (Kafka's {@code assigned-partitions}, via Micrometer). */
  private static final String ASSIGNED_PARTITIONS = "kafka.consumer.coordinator.assigned.partitions";
  private static final long POLL_MILLIS = 5;
  /** How long after consuming the whole input the members may take to publish a version covering it before they are stopped. */
  static final Duration TAIL = Duration.ofSeconds(15);
  /** The trainer's per-partition consumer lag gauge (TrainerMeters). */
  private static final String LAG = "streamlearn.trainer.consumer.lag";
  /** A group member's gauge: 1 while it is the group's publisher (TrainerMeters). */
  private static final String GROUP_PUBLISHING = "streamlearn.trainer.group.publishing";
  /** A group member's counter of commits the group refused (TrainerMeters). */
  private static final String GROUP_REFUSED_COMMITS = "streamlearn.trainer.group.refused.commits";

  /**
   * One member's figures.
   *
   * @param id its {@code group.member} ("" for a plain single trainer)
   * @param status its status after it stopped
   * @param trained examples it trained on (consumed minus held out, skipped and dead letters)
   * @param trainingSeconds from its first consumed record to its last
   * @param partitionsOwned input partitions assigned to it at the end, -1 if its consumer did not say
   * @param refusedCommits its commits the group refused (a rebalance meanwhile): each discards what it
   *     trained since its last contribution, to be read and trained again
   * @param group what it did as a member: contributions, rounds, and the time each took
   */
  record Member(String id, TrainerStatus status, long trained, double trainingSeconds, int partitionsOwned,
                long refusedCommits, GroupStats group) {
    /** Examples trained a second while it was consuming. */
    double trainedPerSecond() {
      return trainingSeconds > 0 ? trained / trainingSeconds : Double.NaN;
    }
  }

  /**
   * A run's outcome.
   *
   * @param model the model name
   * @param members each member's figures, in {@code group.member} order
   * @param events input records
   * @param consumedSeconds from the first record any member consumed to the last
   * @param coveredSeconds from the first consumed record to the creation of the covering version, NaN
   *     when no version covers the input
   * @param coveringVersion the first version whose lineage (with its predecessors') covers the input, 0
   *     for none
   * @param coveredRunning whether a version covered the input while the members ran (within {@link
   *     #TAIL} of consuming it all); else the covering version, if any, is the one they made as they stopped
   * @param versions the model's versions after every member stopped, oldest first
   * @param overlaps lineage ranges overlapping an earlier version's (0 when exactly once holds)
   * @param startupSeconds from starting the members to the first consumed record
   */
  record Result(String model, List<Member> members, long events, double consumedSeconds, double coveredSeconds,
                long coveringVersion, boolean coveredRunning, List<ModelVersion> versions, int overlaps,
                double startupSeconds) {
    /** Input events a second, first consumed to covering version. */
    double eventsPerSecond() {
      return events / coveredSeconds;
    }

    /** Examples the members trained on. */
    long trained() {
      return members.stream().mapToLong(Member::trained).sum();
    }

    /** The newest version, if any. */
    Optional<ModelVersion> last() {
      return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /**
     * The prequential accuracy over every example the members trained on: each member's windowed
     * accuracy weighted by its examples; exact when the window ({@code prequential.window}) holds
     * every example a member trained on.
     */
    double prequentialAccuracy() {
      double sum = 0;
      long n = 0;
      for (Member m : members) {
        if (m.trained() > 0 && Double.isFinite(m.status().prequentialAccuracy())) {
          sum += m.status().prequentialAccuracy() * m.trained();
          n += m.trained();
        }
      }
      return n == 0 ? Double.NaN : sum / n;
    }
  }

  private GroupRun() {}

  /**
   * Runs the members on {@code settings} (a trainer's settings over a pre-filled input topic) until
   * they have consumed the whole input (or a version covers it), then stops them.
   *
   * @param memberIds the {@code group.member} of each member; empty for one plain (ungrouped) trainer
   * @param timeout how long the whole run may take before it fails
   * @throws IllegalStateException if a member fails or the input is not consumed within {@code timeout}
   */
  static Result run(Map<String, String> settings, List<String> memberIds, Duration timeout)
      throws InterruptedException {
    String servers = settings.get(CommonKeys.BOOTSTRAP_SERVERS);
    String model = settings.get(CommonKeys.MODEL_NAME);
    String input = settings.get(CommonKeys.LABELED_TOPIC);
    String modelsTopic = settings.get(CommonKeys.MODELS_TOPIC);
    Map<String, Object> client = KafkaSupport.clientProperties(servers, Map.of());
    KafkaSupport.ensureTopics(client, (short) -1, List.of(KafkaSupport.registryTopic(modelsTopic)));
    Map<TopicPartition, Long> ends = endOffsets(servers, input);
    long events = ends.values().stream().mapToLong(Long::longValue).sum();

    List<String> ids = memberIds.isEmpty() ? List.of("") : List.copyOf(memberIds);
    List<Trainer> trainers = new ArrayList<>();
    List<OpsServer> ops = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (String id : ids) {
      Map<String, String> own = new HashMap<>(settings);
      if (!id.isEmpty()) {
        own.put(TrainerConfig.GROUP_MEMBER, id);
      }
      OpsServer o = new OpsServer("bench-trainer" + (id.isEmpty() ? "" : "-" + id));
      ops.add(o);
      Trainer t = new Trainer(TrainerSettings.from(new TrainerConfig(own)), TrainerClock.SYSTEM, o);
      trainers.add(t);
      threads.add(new Thread(t, "bench-trainer" + (id.isEmpty() ? "" : "-" + id)));
    }
    int n = ids.size();
    long[] firstNanos = new long[n];
    long[] lastNanos = new long[n];
    long[] lastConsumed = new long[n];
    long[] refused = new long[n];
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    long deadline = start + timeout.toNanos();
    threads.forEach(Thread::start);
    long firstAny = 0;
    long firstAnyMillis = 0;
    List<Integer> owned = new ArrayList<>();
    boolean coveredRunning = false;
    try {
      while (true) {
        long now = System.nanoTime();
        long total = 0;
        for (int i = 0; i < n; i++) {
          long consumed = trainers.get(i).status().eventsConsumed();
          total += consumed;
          if (consumed > lastConsumed[i]) {
            if (firstNanos[i] == 0) {
              firstNanos[i] = now;
            }
            lastNanos[i] = now;
            lastConsumed[i] = consumed;
          }
          if (firstAny == 0 && consumed > 0) {
            firstAny = now;
            firstAnyMillis = System.currentTimeMillis();
          }
          Optional<String> dead = trainers.get(i).liveness();
          if (dead.isPresent() || !threads.get(i).isAlive()) {
            throw new IllegalStateException("member '" + ids.get(i) + "' of " + model + " stopped: "
                + dead.orElse("its thread returned"));
          }
        }
        // consumed counts records read again after a rollback: the lag of every partition says whether all were read
        if (total >= events && caughtUp(ops, input, ends.keySet())) {
          break;
        }
        if (now > deadline) {
          throw new IllegalStateException("the members of " + model + " consumed " + total + " of the " + events
              + " input records in " + timeout.toSeconds() + " s (each: " + java.util.Arrays.toString(lastConsumed)
              + ")");
        }
        Thread.sleep(POLL_MILLIS);
      }
      for (int i = 0; i < n; i++) {
        owned.add(assignedPartitions(ops.get(i)));
      }
      // what a user of the model sees: how long until a version covers the input, the members running on
      long tailEnd = System.nanoTime() + TAIL.toNanos();
      try (KafkaRegistry registry = KafkaRegistry.open(client, modelsTopic)) {
        while (!coveredRunning && System.nanoTime() < tailEnd) {
          coveredRunning = Coverage.of(registry.versions(model).values(), input, ends).coveringVersion() > 0;
          Thread.sleep(20);
        }
      }
    } finally {
      // The publisher last: it folds what the others sent when they stopped, so the last version covers it all.
      int publisher = -1;
      for (int i = 0; i < n; i++) {
        if (meterValue(ops.get(i), GROUP_PUBLISHING) > 0) {
          publisher = i;
        }
      }
      for (int i = 0; i < n; i++) {
        if (i != publisher) {
          trainers.get(i).stop();
        }
      }
      for (int i = 0; i < n; i++) {
        if (i != publisher && !trainers.get(i).awaitStopped(Duration.ofSeconds(60))) {
          log.warn("member {} of {} did not stop within 60 s", ids.get(i), model);
        }
      }
      if (publisher >= 0) {
        if (!coveredRunning) {
          // its last commit is refused while the group rebalances after the others left, and a refused
          // last commit publishes nothing: let it take their partitions first
          long settle = System.nanoTime() + 15_000_000_000L;
          while (assignedPartitions(ops.get(publisher)) < ends.size() && System.nanoTime() < settle) {
            Thread.sleep(20);
          }
        }
        trainers.get(publisher).stop();
        if (!trainers.get(publisher).awaitStopped(Duration.ofSeconds(60))) {
          log.warn("member {} of {} did not stop within 60 s", ids.get(publisher), model);
        }
      }
      for (int i = 0; i < n; i++) {
        refused[i] = (long) meterValue(ops.get(i), GROUP_REFUSED_COMMITS);
      }
      ops.forEach(OpsServer::close);
    }
    List<ModelVersion> versions;
    try (KafkaRegistry registry = KafkaRegistry.open(client, modelsTopic)) {
      versions = List.copyOf(registry.versions(model).values());
    }
    Coverage coverage = Coverage.of(versions, input, ends);
    double coveredSeconds = Double.NaN;
    if (coverage.coveringVersion() > 0) {
      long createdAt = versions.stream().filter(v -> v.version() == coverage.coveringVersion()).findFirst()
          .orElseThrow().createdAt().toEpochMilli();
      coveredSeconds = (createdAt - firstAnyMillis) / 1e3;
    } else {
      log.warn("no version of {} covers its input: {}", model, versions.stream()
          .map(v -> "v" + v.version() + " " + v.lineage().ranges()).toList());
    }
    List<Member> members = new ArrayList<>();
    long lastAny = 0;
    for (int i = 0; i < n; i++) {
      TrainerStatus s = trainers.get(i).status();
      long trained = s.eventsConsumed() - s.heldOut() - s.skippedBySampling() - s.deadLetters();
      members.add(new Member(ids.get(i), s, trained, (lastNanos[i] - firstNanos[i]) / 1e9, owned.get(i),
          refused[i], trainers.get(i).groupStats()));
      lastAny = Math.max(lastAny, lastNanos[i]);
    }
    members.sort(Comparator.comparing(Member::id));
    return new Result(model, members, events, (lastAny - firstAny) / 1e9, coveredSeconds, coverage.coveringVersion(),
        coveredRunning, versions, coverage.overlaps(), (firstAnyMillis - startMillis) / 1e3);
  }

  /** Whether, for every input partition, some member's consumer has read it to its end (its lag gauge says 0). */
  private static boolean caughtUp(List<OpsServer> ops, String topic, java.util.Set<TopicPartition> partitions) {
    java.util.Set<Integer> done = new java.util.HashSet<>();
    for (OpsServer o : ops) {
      for (Meter m : o.meters().getMeters()) {
        if (m instanceof Gauge g && m.getId().getName().equals(LAG) && topic.equals(m.getId().getTag("topic"))
            && g.value() == 0) {
          done.add(Integer.parseInt(m.getId().getTag("partition")));
        }
      }
    }
    return partitions.stream().allMatch(tp -> done.contains(tp.partition()));
  }

  /** The sum of the values of the meters named {@code name} (a gauge's value, a counter's count); 0 for none. */
  private static double meterValue(OpsServer ops, String name) {
    double sum = 0;
    for (Meter m : ops.meters().getMeters()) {
      if (m.getId().getName().equals(name)) {
        for (io.micrometer.core.instrument.Measurement x : m.measure()) {
          sum += Double.isFinite(x.getValue()) ? x.getValue() : 0;
        }
      }
    }
    return sum;
  }

  /** The member's input partitions now, from its consumer's own gauge; -1 when it has none. */
  private static int assignedPartitions(OpsServer ops) {
    for (Meter m : ops.meters().getMeters()) {
      if (m instanceof Gauge g && m.getId().getName().equals(ASSIGNED_PARTITIONS)) {
        return (int) Math.round(g.value());
      }
    }
    return -1;
  }

  static Map<TopicPartition, Long> endOffsets(String servers, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return c.endOffsets(parts);
    }
  }

  /**
   * How the versions' lineages cover the input.
   *
   * @param coveringVersion the first version with which every offset is covered, 0 if none
   * @param overlaps ranges that overlap an earlier range of the same partition
   */
  record Coverage(long coveringVersion, int overlaps) {
    static Coverage of(Iterable<ModelVersion> versions, String topic, Map<TopicPartition, Long> ends) {
      NavigableMap<Long, List<OffsetRange>> lineages = new java.util.TreeMap<>();
      versions.forEach(v -> lineages.put(v.version(), v.lineage().ranges()));
      return ofLineages(lineages, topic, ends);
    }

    /** The same over each version's lineage ranges, by version number. */
    static Coverage ofLineages(NavigableMap<Long, List<OffsetRange>> lineages, String topic,
                               Map<TopicPartition, Long> ends) {
      Map<Integer, List<OffsetRange>> byPartition = new HashMap<>();
      long covering = 0;
      for (Map.Entry<Long, List<OffsetRange>> v : lineages.entrySet()) {
        for (OffsetRange r : v.getValue()) {
          if (r.topic().equals(topic)) {
            byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
          }
        }
        if (covering == 0 && covers(byPartition, ends)) {
          covering = v.getKey();
        }
      }
      int overlaps = 0;
      for (List<OffsetRange> ranges : byPartition.values()) {
        List<OffsetRange> sorted = ranges.stream().sorted(Comparator.comparingLong(OffsetRange::fromOffset)).toList();
        long reached = 0;
        for (OffsetRange r : sorted) {
          if (r.fromOffset() < reached) {
            overlaps++;
          }
          reached = Math.max(reached, r.untilOffset());
        }
      }
      return new Coverage(covering, overlaps);
    }

    private static boolean covers(Map<Integer, List<OffsetRange>> byPartition, Map<TopicPartition, Long> ends) {
      for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
        List<OffsetRange> ranges = byPartition.getOrDefault(e.getKey().partition(), List.of()).stream()
            .sorted(Comparator.comparingLong(OffsetRange::fromOffset)).toList();
        long reached = 0;
        for (OffsetRange r : ranges) {
          if (r.fromOffset() > reached) {
            return false;
          }
          reached = Math.max(reached, r.untilOffset());
        }
        if (reached < e.getValue()) {
          return false;
        }
      }
      return true;
    }
  }
}
