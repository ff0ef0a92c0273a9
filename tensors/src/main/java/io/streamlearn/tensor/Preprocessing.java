package io.streamlearn.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * Frozen feature scaling applied before the network: {@code x' = (x - offset) * scale}. The
 * engine's online scalers freeze into it, a model applies it, the registry stores it with every
 * version, so inference transforms its inputs exactly as training did.
 *
 * <p>Identity is stored without a feature count (kind {@code identity}, empty arrays), as the
 * registry has always written it; {@link #scaling} gives that form whenever the statistics change
 * nothing, so a scaler that has seen no data publishes the same bytes as no scaler at all.
 *
 * @param kind how the statistics were gathered ({@code identity}, {@code standard}, {@code minmax})
 * @param offset per-feature offset (empty for identity)
 * @param scale per-feature scale (empty for identity)
 */
public record Preprocessing(String kind, float[] offset, float[] scale) {
  /** The kind of {@link #identity()}. */
  public static final String IDENTITY = "identity";

  /**
   * Validates and copies. Values are not checked for finiteness here: a decoded artifact keeps what
   * it holds, and the engine refuses non-finite scaling when it builds a model ({@link
   * #requireFinite()}).
   */
  public Preprocessing {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(offset, "offset");
    Objects.requireNonNull(scale, "scale");
    if (offset.length != scale.length) {
      throw new IllegalArgumentException("offset and scale must have the same length, found "
          + offset.length + " and " + scale.length);
    }
    offset = offset.clone();
    scale = scale.clone();
  }

  /** No scaling. */
  public static Preprocessing identity() {
    return new Preprocessing(IDENTITY, new float[0], new float[0]);
  }

  /**
   * Scaling of {@code kind} with these statistics, or {@link #identity()} when every offset is 0
   * and every scale 1 (so it changes nothing).
   *
   * @throws IllegalArgumentException when the arrays are empty or of different lengths
   */
  public static Preprocessing scaling(String kind, float[] offset, float[] scale) {
    Objects.requireNonNull(offset, "offset");
    if (offset.length == 0) {
      throw new IllegalArgumentException("scaling of kind " + kind + " needs at least one feature");
    }
    Preprocessing p = new Preprocessing(kind, offset, scale);
    for (int i = 0; i < p.offset.length; i++) {
      if (p.offset[i] != 0f || p.scale[i] != 1f) {
        return p;
      }
    }
    return identity();
  }

  /** Whether this applies no scaling. */
  public boolean isIdentity() {
    return offset.length == 0;
  }

  /** Number of features scaled; 0 for identity, which fits any number. */
  public int features() {
    return offset.length;
  }

  /**
   * This, after checking every offset and scale is finite.
   *
   * @throws IllegalArgumentException naming the first non-finite value
   */
  public Preprocessing requireFinite() {
    for (int i = 0; i < offset.length; i++) {
      if (!Float.isFinite(offset[i])) {
        throw new IllegalArgumentException("preprocessing offset[" + i + "] must be finite, found " + offset[i]);
      }
      if (!Float.isFinite(scale[i])) {
        throw new IllegalArgumentException("preprocessing scale[" + i + "] must be finite, found " + scale[i]);
      }
    }
    return this;
  }

  /**
   * Scales {@code rows} rows of {@code x} (row-major, {@link #features()} per row) in place;
   * identity leaves them as they are.
   */
  public void apply(float[] x, int rows) {
    int n = offset.length;
    if (rows < 0 || x.length < rows * n) {
      throw new IllegalArgumentException("need " + rows * n + " values for " + rows + " rows of " + n
          + " features, found " + x.length);
    }
    for (int r = 0, base = 0; r < rows; r++, base += n) {
      for (int j = 0; j < n; j++) {
        x[base + j] = (x[base + j] - offset[j]) * scale[j];
      }
    }
  }

  @Override
  public float[] offset() {
    return offset.clone();
  }

  @Override
  public float[] scale() {
    return scale.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Preprocessing p && kind.equals(p.kind) && Arrays.equals(offset, p.offset)
        && Arrays.equals(scale, p.scale);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, Arrays.hashCode(offset), Arrays.hashCode(scale));
  }

  @Override
  public String toString() {
    return "Preprocessing[" + kind + ", " + offset.length + " features]";
  }
}
