package io.streamlearn.eval;

import io.streamlearn.registry.InvalidModelException;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryKey;
import io.streamlearn.train.HoldOut;
import io.streamlearn.train.TrainerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether a model version had already trained on an input record, from the versions'
 * lineages in the registry: a version's own offset ranges cover what it trained on since its
 * parent, so what it has trained on in all is the union over it and its ancestors. An input the
 * trainer held out ({@link HoldOut#isHeldOut}, with the {@code holdout.fraction} the version's
 * lineage records) was never trained on, whatever the ranges say.
 *
 * <p>Versions are immutable, so a version's coverage is computed once and kept. An ancestor that is
 * no longer in the registry (retention deleted it) contributes nothing: inputs that old are not
 * judged leaked. Not thread-safe: one per stream task.
 */
final class Lineages {
  private static final Logger log = LoggerFactory.getLogger(Lineages.class);

  /** The verdict on one prediction. */
  enum Verdict {
    /** The version had trained on the input: the prediction says nothing about unseen data. */
    LEAKED,
    /** The version had not trained on the input. */
    CLEAN,
    /** The version is not (yet) in this instance's registry view, or the prediction names no input offset. */
    UNKNOWN
  }

  /** What one version has trained on: merged ranges per {@code topic#partition}, and its hold-out share. */
  private record Coverage(Map<String, List<long[]>> ranges, double holdoutFraction) {
    boolean covers(String topic, int partition, long offset) {
      for (long[] r : ranges.getOrDefault(topic + "#" + partition, List.of())) {
        if (offset >= r[0] && offset < r[1]) {
          return true;
        }
      }
      return false;
    }
  }

  private final Function<String, byte[]> registry;
  private final RegistryCodec codec = new RegistryCodec();
  private final Map<String, Coverage> known = new HashMap<>();

  /** @param registry the registry topic as a key-value view ({@code name:version} to its record) */
  Lineages(Function<String, byte[]> registry) {
    this.registry = registry;
  }

  /** Whether {@code model:version} had trained on the input {@code topic-partition@offset} with that id. */
  Verdict judge(String model, long version, String id, String topic, Integer partition, Long offset) {
    if (topic == null || partition == null || offset == null) {
      return Verdict.UNKNOWN;
    }
    Coverage c = coverage(model, version);
    if (c == null) {
      return Verdict.UNKNOWN;
    }
    if (!c.covers(topic, partition, offset)) {
      return Verdict.CLEAN;
    }
    return HoldOut.isHeldOut(id, c.holdoutFraction()) ? Verdict.CLEAN : Verdict.LEAKED;
  }

  private Coverage coverage(String model, long version) {
    String key = RegistryKey.version(model, version).toString();
    Coverage cached = known.get(key);
    if (cached != null) {
      return cached;
    }
    ModelVersion head = metadata(key);
    if (head == null) {
      return null; // not arrived yet: judge again next time, do not cache
    }
    Map<String, List<long[]>> ranges = new HashMap<>();
    Set<Long> seen = new HashSet<>();
    ModelVersion v = head;
    while (v != null && seen.add(v.version())) {
      for (OffsetRange r : v.lineage().ranges()) {
        ranges.computeIfAbsent(r.topic() + "#" + r.partition(), k -> new ArrayList<>())
            .add(new long[] {r.fromOffset(), r.untilOffset()});
      }
      long parent = v.parentVersion();
      v = parent <= 0 ? null : metadata(RegistryKey.version(model, parent).toString());
    }
    ranges.replaceAll((tp, list) -> merge(list));
    double fraction = holdoutFraction(head);
    Coverage c = new Coverage(ranges, fraction);
    known.put(key, c);
    return c;
  }

  private static double holdoutFraction(ModelVersion v) {
    String text = v.lineage().hyperparameters().get(TrainerConfig.HOLDOUT_FRACTION);
    if (text == null) {
      return 0;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      log.warn("{}: lineage holds an unreadable {} '{}', taken as 0", v.key(), TrainerConfig.HOLDOUT_FRACTION, text);
      return 0;
    }
  }

  /** The version's metadata (lineage, parent) from its inline record or its chunk manifest. */
  private ModelVersion metadata(String key) {
    byte[] bytes = registry.apply(key);
    if (bytes == null) {
      return null;
    }
    try {
      RegistryCodec.Entry e = codec.decode(key, bytes);
      if (e instanceof RegistryCodec.VersionEntry ve) {
        return ve.version();
      }
      if (e instanceof RegistryCodec.ManifestEntry me) {
        return me.metadata();
      }
      return null;
    } catch (InvalidModelException e) {
      log.warn("{} is unreadable, its lineage is unknown: {}", key, e.getMessage());
      return null;
    }
  }

  /** Sorted, overlapping or touching ranges joined. */
  private static List<long[]> merge(List<long[]> ranges) {
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] r : ranges) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && r[0] <= last[1]) {
        last[1] = Math.max(last[1], r[1]);
      } else {
        out.add(new long[] {r[0], r[1]});
      }
    }
    return out;
  }
}
