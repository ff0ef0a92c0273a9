package io.streamlearn.dashboard;

import io.streamlearn.learn.metrics.WindowedMean;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.schema.ChallengerVerdict;
import io.streamlearn.schema.Prediction;
import io.streamlearn.schema.ServedMetrics;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * What the dashboard shows about one model, built from the records a {@link DashboardFeed} reads:
 * the training history ({@code TrainingEvent}s), the registry (versions and alias moves), and the
 * predictions (served accuracy per version, hold-out accuracy, throughput, latency, the canary
 * split, the latest few with their input images), and the evaluation's records (served figures per
 * version and alias, challenger verdicts, label-free feature drift: {@link EvaluationPanels}).
 * Every list is bounded, so a long run keeps a constant footprint.
 *
 * <p>Hold-out accuracy needs the true label of unlabeled events, which no topic carries: whoever
 * produced them (the demo) tells the state with {@link #expectLabel}. Thread-safe.
 */
public final class DashboardState {
  static final int MAX_POINTS = 2000;
  static final int MAX_LATEST = 12;
  static final int CURVE_STEP = 250;
  static final int WINDOW = 1000;
  private static final int MAX_INPUTS = 4096;
  private static final int MAX_EXPECTED = 200_000;
  private static final int MAX_IMAGE_FEATURES = 4096;

  private final String model;
  private final LongSupplier clock;
  private List<String> classNames = List.of();
  private final Deque<Map<String, Object>> training = new ArrayDeque<>();
  private final Deque<Map<String, Object>> alerts = new ArrayDeque<>();
  private final Map<Long, VersionStats> versions = new TreeMap<>();
  private final Map<String, Long> aliases = new TreeMap<>();
  private final Deque<Map<String, Object>> aliasMoves = new ArrayDeque<>();
  private final Deque<Map<String, Object>> swaps = new ArrayDeque<>();
  private final Deque<Map<String, Object>> curve = new ArrayDeque<>();
  private final Deque<Map<String, Object>> latest = new ArrayDeque<>();
  private final Throughput throughput = new Throughput();
  private final Map<String, float[]> inputs = lru(MAX_INPUTS);
  private final Map<String, Integer> expected = lru(MAX_EXPECTED);
  private final WindowedMean servedWindow = new WindowedMean(WINDOW);
  private final WindowedMean heldOutWindow = new WindowedMean(WINDOW);
  private final EvaluationPanels evaluation = new EvaluationPanels(WINDOW);
  private long predictions;
  private long labeledPredictions;
  private long heldOutPredictions;
  private long lastServedVersion;

  /** The state of {@code model}, timed by the wall clock. */
  public DashboardState(String model) {
    this(model, System::currentTimeMillis);
  }

  /** The state of {@code model}, timed by {@code clock} (epoch milliseconds). */
  public DashboardState(String model, LongSupplier clock) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("model must be non-blank, found '" + model + "'");
    }
    this.model = model;
    this.clock = clock;
  }

  /** The model this state follows. */
  public String model() {
    return model;
  }

  /** Names of the classes, shown next to class indices (e.g. Fashion-MNIST's). */
  public synchronized void setClassNames(List<String> names) {
    this.classNames = List.copyOf(names);
  }

  /** Records the true label of an unlabeled event, for the hold-out accuracy. */
  public synchronized void expectLabel(String id, int label) {
    expected.put(id, label);
  }

  /** Records an input event's features, to show them (as an image) next to its prediction. */
  public synchronized void recordInput(String id, float[] features) {
    if (features.length <= MAX_IMAGE_FEATURES) {
      inputs.put(id, features);
    }
  }

  /** Applies one training-history record. */
  public synchronized void onTrainingEvent(TrainingEvent e) {
    if (!e.getModel().equals(model)) {
      return;
    }
    Map<String, Object> point = new LinkedHashMap<>();
    point.put("t", e.getTimestamp().toEpochMilli());
    point.put("type", e.getType().name());
    point.put("version", e.getModelVersion());
    point.put("examplesSeen", e.getExamplesSeen());
    point.put("learningRate", e.getLearningRate());
    Map<String, Double> metrics = new TreeMap<>();
    e.getMetrics().forEach((k, v) -> {
      if (Double.isFinite(v)) {
        metrics.put(k.toString(), v);
      }
    });
    point.put("metrics", metrics);
    point.put("message", e.getMessage());
    add(training, point, MAX_POINTS);
    if (e.getType() == TrainingEventType.DRIFT) {
      evaluation.onDrift(e); // kept per version when it names features; an alert either way
    }
    if (e.getType() == TrainingEventType.DRIFT || e.getType() == TrainingEventType.ALERT
        || e.getType() == TrainingEventType.REJECTED) {
      add(alerts, point, 200);
    }
  }

  /** Applies one decoded registry record. */
  public synchronized void onRegistry(RegistryCodec.Entry entry) {
    if (!entry.key().model().equals(model)) {
      return;
    }
    if (entry instanceof RegistryCodec.VersionEntry v) {
      ModelVersion mv = v.version();
      VersionStats s = versions.computeIfAbsent(mv.version(), VersionStats::new);
      s.createdAt = mv.createdAt().toEpochMilli();
      s.examplesSeen = mv.lineage().examplesSeen();
      s.metrics = new TreeMap<>(mv.metrics());
      s.parent = mv.parentVersion();
      s.architecture = mv.architecture();
      s.inputs = mv.signature().inputs().stream().map(f -> f.name() + ":" + f.type()).toList();
      if (classNames.isEmpty() && !mv.signature().classNames().isEmpty()) {
        classNames = List.copyOf(mv.signature().classNames());
      }
    } else if (entry instanceof RegistryCodec.AliasEntry a) {
      AliasMove m = a.move();
      aliases.put(m.alias(), m.version());
      Map<String, Object> move = new LinkedHashMap<>();
      move.put("alias", m.alias());
      move.put("version", m.version());
      move.put("previousVersion", m.previousVersion());
      move.put("movedAt", m.movedAt().toEpochMilli());
      move.put("movedBy", m.movedBy());
      move.put("reason", m.reason());
      add(aliasMoves, move, MAX_POINTS);
    } else if (entry.key().isAlias()) {
      aliases.remove(entry.key().alias());
    }
  }

  /** The version an alias points at, 0 for none. */
  public synchronized long aliasVersion(String alias) {
    return aliases.getOrDefault(alias, 0L);
  }

  /** Whether the registry holds this version. */
  public synchronized boolean hasVersion(long version) {
    VersionStats s = versions.get(version);
    return s != null && s.createdAt > 0;
  }

  /** The number of versions seen in the registry. */
  public synchronized int versionCount() {
    return (int) versions.values().stream().filter(s -> s.createdAt > 0).count();
  }

  /** The number of predictions seen. */
  public synchronized long predictionCount() {
    return predictions;
  }

  /** Applies one prediction. */
  public synchronized void onPrediction(Prediction p) {
    if (!p.getModel().equals(model)) {
      return;
    }
    predictions++;
    long now = clock.getAsLong();
    long version = p.getModelVersion();
    VersionStats stats = versions.computeIfAbsent(version, VersionStats::new);
    if (stats.firstServedAt == 0) {
      stats.firstServedAt = now;
      Map<String, Object> swap = new LinkedHashMap<>();
      swap.put("version", version);
      swap.put("from", lastServedVersion);
      swap.put("at", now);
      swap.put("afterPredictions", predictions - 1);
      add(swaps, swap, MAX_POINTS);
    }
    lastServedVersion = version;
    stats.served++;
    evaluation.onPrediction(p.getAlias(), version);
    Integer predicted = p.getPredictedClass();
    Integer truth = p.getLabel() instanceof Integer i ? i : null;
    boolean heldOut = false;
    if (truth == null) {
      truth = expected.remove(p.getId());
      heldOut = truth != null;
    }
    if (truth != null && predicted != null) {
      double hit = truth.equals(predicted) ? 1.0 : 0.0;
      if (heldOut) {
        heldOutPredictions++;
        heldOutWindow.add(hit);
        stats.heldOutCount++;
        stats.heldOutCorrect += hit;
      } else {
        labeledPredictions++;
        servedWindow.add(hit);
        stats.labeledCount++;
        stats.labeledCorrect += hit;
        if (labeledPredictions % CURVE_STEP == 0) {
          Map<String, Object> point = new LinkedHashMap<>();
          point.put("n", labeledPredictions);
          point.put("t", now);
          point.put("version", version);
          point.put("accuracy", servedWindow.mean());
          point.put("heldOutAccuracy", heldOutWindow.count() == 0 ? null : heldOutWindow.mean());
          add(curve, point, MAX_POINTS);
        }
      }
    }
    throughput.add(now, p.getLatencyMicros());
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", p.getId());
    row.put("version", version);
    row.put("predictedClass", predicted);
    row.put("label", truth != null ? truth : p.getLabel());
    row.put("heldOut", heldOut);
    row.put("confidence", confidence(p.getScores(), predicted));
    row.put("latencyMs", p.getLatencyMicros() / 1000.0);
    float[] x = inputs.remove(p.getId());
    if (x != null && x.length == 784) {
      row.put("image", grey(x));
    }
    if (row.containsKey("image") || latest.stream().noneMatch(r -> r.containsKey("image"))) {
      add(latest, row, MAX_LATEST);
    }
  }

  /** Applies one of the evaluation's served-metrics records; only the all-time ones are kept. */
  public synchronized void onServedMetrics(ServedMetrics m) {
    if (m.getModel().equals(model)) {
      evaluation.onServedMetrics(m);
    }
  }

  /** Applies one of the evaluation's challenger verdicts. */
  public synchronized void onChallengerVerdict(ChallengerVerdict v) {
    if (v.getModel().equals(model)) {
      evaluation.onChallengerVerdict(v);
    }
  }

  /** A snapshot for the page, as plain maps and lists (Jackson writes it). */
  public synchronized Map<String, Object> snapshot() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", model);
    s.put("now", clock.getAsLong());
    s.put("classNames", classNames);
    s.put("totals", Map.of("predictions", predictions, "labeledPredictions", labeledPredictions,
        "heldOutPredictions", heldOutPredictions,
        "servedAccuracy", servedWindow.count() == 0 ? -1.0 : servedWindow.mean(),
        "heldOutAccuracy", heldOutWindow.count() == 0 ? -1.0 : heldOutWindow.mean()));
    s.put("training", new ArrayList<>(training));
    s.put("curve", new ArrayList<>(curve));
    List<Map<String, Object>> versionRows = new ArrayList<>();
    versions.values().forEach(v -> versionRows.add(v.toMap()));
    s.put("versions", versionRows);
    s.put("aliases", new TreeMap<>(aliases));
    s.put("aliasMoves", new ArrayList<>(aliasMoves));
    s.put("swaps", new ArrayList<>(swaps));
    s.put("alerts", new ArrayList<>(alerts));
    s.put("served", evaluation.servedRows(versions));
    s.put("challenger", evaluation.challengerRows());
    s.put("canary", evaluation.canarySplit());
    s.put("drift", evaluation.driftRows());
    s.put("throughput", throughput.completeSeconds(clock.getAsLong()));
    List<Map<String, Object>> rows = new ArrayList<>(latest);
    java.util.Collections.reverse(rows);
    s.put("latest", rows);
    return s;
  }

  private static double confidence(List<Float> scores, Integer predicted) {
    if (predicted == null || predicted < 0 || predicted >= scores.size()) {
      return scores.isEmpty() ? 0.0 : scores.get(0);
    }
    return scores.get(predicted);
  }

  private static int[] grey(float[] x) {
    int[] g = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      float v = Float.isFinite(x[i]) ? Math.max(0f, Math.min(1f, x[i])) : 0f;
      g[i] = Math.round(v * 255);
    }
    return g;
  }

  private static <T> void add(Deque<T> deque, T item, int max) {
    deque.addLast(item);
    while (deque.size() > max) {
      deque.removeFirst();
    }
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
