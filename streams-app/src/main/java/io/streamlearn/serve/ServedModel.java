package io.streamlearn.serve;

import io.streamlearn.learn.Model;
import io.streamlearn.registry.ModelVersion;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model an inference instance serves: one immutable {@link Current} behind an atomic
 * reference. A stream thread reads it once per batch, so every prediction of that batch comes
 * from that one version; the registry thread replaces it whole, after checking the new one.
 */
public final class ServedModel {
  /**
   * A served version and its ready-to-run model.
   *
   * @param version the registry version (metadata and signature)
   * @param model the inference model built from it
   * @param swappedAtMillis when it became the served one
   */
  public record Current(ModelVersion version, Model model, long swappedAtMillis) {
    /** Validates. */
    public Current {
      Objects.requireNonNull(version, "version");
      Objects.requireNonNull(model, "model");
    }
  }

  private final AtomicReference<Current> current = new AtomicReference<>();
  private final AtomicLong swaps = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /** The served model, or {@code null} before the first one. */
  public Current current() {
    return current.get();
  }

  /** Serves {@code next} from now on. */
  void swap(Current next) {
    current.set(next);
    swaps.incrementAndGet();
  }

  void countRefused() {
    refused.incrementAndGet();
  }

  /** How many times the served model changed. */
  public long swaps() {
    return swaps.get();
  }

  /** How many candidate versions were refused. */
  public long refused() {
    return refused.get();
  }
}
