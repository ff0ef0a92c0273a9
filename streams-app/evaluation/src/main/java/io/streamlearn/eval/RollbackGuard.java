package io.streamlearn.eval;

import io.streamlearn.registry.AliasChange;
import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.TrainingEvent;
import io.streamlearn.schema.TrainingEventType;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Automatic rollback: moves an alias back to its predecessor when the version a person promoted to
 * it serves significantly worse ({@link RollbackRule}'s SPRT), writing the move ({@code movedBy:
 * auto-rollback}, the evidence as its reason) to the registry topic and an {@code ALERT}
 * {@link TrainingEvent} with the figures to the metrics topic, in the same transaction as its
 * state under exactly-once.
 *
 * <p>Input: evaluations keyed {@code model@alias} (re-keyed from the by-version topic, so every
 * version of one alias meets in one task). Per {@code model:version@alias} it sums {@link
 * ServedStats} (the predecessor's served figure is what it served under the alias, all before the
 * move). Which move to watch comes from the alias record in the registry view:
 *
 * <ul>
 *   <li>watched: a move with a predecessor ({@code previousVersion}) by anyone but the trainer or
 *       this guard, and not pinned (a reason starting with {@value #PIN}, any case);
 *   <li>not watched: the trainer's moves (it moves {@code live} at every version it publishes; its
 *       own validation gate judges those, and a guard that fought it would roll back forever), this
 *       guard's own rollbacks, pinned moves, and any alias while {@code auto.rollback} is off;
 *   <li>a later move of the alias, by anyone, ends the watch of the earlier one: a version the
 *       trainer publishes after a person's promotion supersedes it, and nothing is rolled back.
 * </ul>
 *
 * <p>The new version's count starts when the guard first sees the move (evaluations of predictions
 * made before the registry view caught up are not counted) and stops when the test decides; a
 * version is rolled back at most once per move.
 */
final class RollbackGuard implements Processor<String, byte[], String, byte[]> {
  /** {@code movedBy} of the moves this guard writes. */
  static final String MOVED_BY = "auto-rollback";
  /** {@code movedBy} of the trainer's moves (io.streamlearn.train.VersionPublisher). */
  static final String TRAINER = "trainer";
  /** A move whose reason starts with this (any case) is pinned: never rolled back. */
  static final String PIN = "pin";
  private static final Logger log = LoggerFactory.getLogger(RollbackGuard.class);

  private final String model;
  private final RollbackRule rule;
  private final EvaluationMeters meters;
  private final RegistryCodec codec = new RegistryCodec();
  private final AvroSerde<Evaluation> evaluations = AvroSerde.of(Evaluation.class);
  private final AvroSerde<TrainingEvent> events = AvroSerde.of(TrainingEvent.class);
  /** Moves whose predecessor had too few evaluations, logged once each. */
  private final Set<String> waiting = new HashSet<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> registry;
  private KeyValueStore<String, byte[]> stats;
  private KeyValueStore<String, byte[]> watches;

  RollbackGuard(String model, RollbackRule rule, EvaluationMeters meters) {
    this.model = model;
    this.rule = rule;
    this.meters = meters;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    registry = context.getStateStore(EvaluationTopology.REGISTRY_STORE);
    stats = context.getStateStore(RollbackBranch.STATS_STORE);
    watches = context.getStateStore(RollbackBranch.WATCH_STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Evaluation e = evaluations.deserialize(null, record.value());
    if (!model.equals(e.getModel())) {
      return;
    }
    if (e.getAlias() == null) {
      // an older writer's prediction names no alias: nothing to judge or roll back
      meters.evaluated(e, Double.NaN);
      return;
    }
    String versionKey = e.getModel() + ":" + e.getModelVersion() + "@" + e.getAlias();
    ServedStats served = ServedStats.decode(stats.get(versionKey));
    served.add(e);
    stats.put(versionKey, served.encode());
    long classified = served.classified();
    meters.evaluated(e, classified == 0 ? Double.NaN : (double) served.correct / classified);
    if (!rule.enabled()) {
      return;
    }
    String aliasKey = RegistryKey.alias(e.getModel(), e.getAlias()).toString();
    AliasMove current = aliasMove(aliasKey);
    RollbackWatch watch = RollbackWatch.decode(watches.get(aliasKey));
    if (current == null || !watched(current)) {
      if (watch != null) {
        watches.delete(aliasKey);
      }
      return;
    }
    long movedAt = current.movedAt().toEpochMilli();
    boolean fresh = watch == null || !watch.watches(current.version(), movedAt);
    if (fresh) {
      watch = new RollbackWatch(current.version(), current.previousVersion(), movedAt, 0, 0, false);
      log.info("watching {} -> {} (was {}, moved by {}) for automatic rollback", aliasKey, current.version(),
          current.previousVersion(), current.movedBy());
    }
    if (watch.decided() || e.getModelVersion() != watch.version() || e.getLeaked() || e.getCorrect() == null) {
      if (fresh) {
        watches.put(aliasKey, watch.encode());
      }
      return;
    }
    watch = watch.count(!e.getCorrect());
    if (decide(aliasKey, current, watch)) {
      watch = watch.decide();
    }
    watches.put(aliasKey, watch.encode());
  }

  /** Runs the test when both sides have enough evaluations; true once it has decided. */
  private boolean decide(String aliasKey, AliasMove current, RollbackWatch watch) {
    if (watch.n() < rule.minEvents()) {
      return false;
    }
    ServedStats old = ServedStats.decode(stats.get(current.model() + ":" + watch.previous() + "@"
        + current.alias()));
    long oldN = old.classified();
    if (oldN < rule.minEvents()) {
      if (waiting.add(aliasKey + "#" + watch.movedAt())) {
        log.warn("{}: predecessor version {} served {} leak-free labeled events under the alias, fewer than"
            + " the {} the rollback test needs; not judging version {}", aliasKey, watch.previous(), oldN,
            rule.minEvents(), watch.version());
      }
      return false;
    }
    double oldError = rule.predecessorError(oldN - old.correct, oldN);
    RollbackRule.Evidence ev = rule.decide(watch.n(), watch.errors(), oldError);
    switch (ev.verdict()) {
      case ROLL_BACK:
        if (registry.get(RegistryKey.version(current.model(), watch.previous()).toString()) == null) {
          log.warn("{}: version {} serves worse than {}, which the registry no longer holds; not rolling back",
              aliasKey, watch.version(), watch.previous());
        } else {
          rollBack(current, watch, ev, old);
        }
        return true;
      case KEEP:
        log.info("{}: version {} kept: error {} over {} against the predecessor's bound {} over {} (LLR {} <= {})",
            aliasKey, watch.version(), fmt(ev.newError()), ev.n(), fmt(oldError), oldN, fmt(ev.llr()),
            fmt(ev.lower()));
        return true;
      default:
        return false;
    }
  }

  private void rollBack(AliasMove current, RollbackWatch watch, RollbackRule.Evidence ev, ServedStats old) {
    long now = context.currentSystemTimeMs();
    long oldN = old.classified();
    double oldObserved = 1 - (double) old.correct / oldN;
    String evidence = String.format(Locale.ROOT, "auto-rollback of version %d: served error %.4f over %d"
            + " leak-free labeled events against %.4f over %d for version %d (upper bound %.4f);"
            + " SPRT H0 err <= %.4f + %.4f, H1 err >= %.4f + %.4f, LLR %.2f >= %.2f (alpha %.3g, beta %.3g)",
        watch.version(), ev.newError(), ev.n(), oldObserved, oldN, watch.previous(), ev.oldError(), ev.oldError(),
        rule.margin(), ev.oldError(), rule.delta(), ev.llr(), ev.upper(), rule.alpha(), rule.beta());
    AliasMove back = new AliasMove(current.model(), current.alias(), watch.previous(), Instant.ofEpochMilli(now),
        MOVED_BY, evidence, watch.version());
    for (RegistryCodec.KeyValue kv : codec.moveRecords(back, AliasChange.Action.ROLLBACK)) {
      context.forward(new Record<>(kv.key(), kv.value(), now), RollbackBranch.REGISTRY_SINK);
    }
    Map<String, Double> figures = new LinkedHashMap<>();
    figures.put("rolledBackVersion", (double) watch.version());
    figures.put("restoredVersion", (double) watch.previous());
    figures.put("newEvaluated", (double) ev.n());
    figures.put("newErrors", (double) ev.errors());
    figures.put("newError", ev.newError());
    figures.put("oldEvaluated", (double) oldN);
    figures.put("oldError", oldObserved);
    figures.put("oldErrorBound", ev.oldError());
    figures.put("llr", ev.llr());
    figures.put("threshold", ev.upper());
    figures.put("alpha", rule.alpha());
    figures.put("beta", rule.beta());
    figures.put("margin", rule.margin());
    figures.put("delta", rule.delta());
    TrainingEvent alert = TrainingEvent.newBuilder().setModel(current.model()).setType(TrainingEventType.ALERT)
        .setTimestamp(Instant.ofEpochMilli(now)).setModelVersion(watch.previous()).setExamplesSeen(0)
        .setLearningRate(0).setMetrics(figures).setMessage(current.key() + ": " + evidence).build();
    context.forward(new Record<>(current.model(), events.serialize(null, alert), now), RollbackBranch.ALERTS_SINK);
    meters.rolledBack(current.model(), current.alias(), watch.version());
    log.atWarn().addKeyValue("model", current.model()).addKeyValue("version", watch.version())
        .log("{} -> {}: {}", current.key(), watch.previous(), evidence);
  }

  private AliasMove aliasMove(String aliasKey) {
    byte[] bytes = registry.get(aliasKey);
    if (bytes == null) {
      return null;
    }
    try {
      return codec.decode(aliasKey, bytes) instanceof RegistryCodec.AliasEntry a ? a.move() : null;
    } catch (InvalidModelException ex) {
      log.warn("unreadable alias record {}: {}", aliasKey, ex.getMessage());
      return null;
    }
  }

  /** Whether the rule judges this move (see the class comment). */
  static boolean watched(AliasMove move) {
    return move.previousVersion() > 0 && move.previousVersion() != move.version()
        && !TRAINER.equals(move.movedBy()) && !MOVED_BY.equals(move.movedBy())
        && !move.reason().strip().toLowerCase(Locale.ROOT).startsWith(PIN);
  }

  private static String fmt(double x) {
    return String.format(Locale.ROOT, "%.4f", x);
  }
}
