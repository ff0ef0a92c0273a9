package io.streamlearn.registry;

import java.util.Arrays;
import java.util.Objects;

/**
 * Frozen feature scaling applied before the network: {@code x' = (x - offset) * scale}.
 *
 * @param kind how the statistics were gathered ({@code identity}, {@code standard}, {@code minmax})
 * @param offset per-feature offset (empty for identity)
 * @param scale per-feature scale (empty for identity)
 */
public record Preprocessing(String kind, float[] offset, float[] scale) {
  /** Validates and copies. */
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
    return new Preprocessing("identity", new float[0], new float[0]);
  }

  /** Whether this applies no scaling. */
  public boolean isIdentity() {
    return offset.length == 0;
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
