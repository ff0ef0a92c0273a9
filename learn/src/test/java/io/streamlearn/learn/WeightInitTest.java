package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.streamlearn.tensor.NamedTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class WeightInitTest {

  private static final String MLP = "dense(128,relu) > dense(10,softmax)";

  private static List<NamedTensor> initial(NetworkSpec spec, long seed) {
    return new Learner(new TrainingConfig(spec, Loss.MSE, OptimizerConfig.adam(1e-3), 4, seed)).parameters();
  }

  private static int hash(List<NamedTensor> tensors) {
    int h = 1;
    for (NamedTensor t : tensors) {
      // The content hash the recorded values were taken with (the engine's former Tensor.hashCode).
      int th = 31 * (31 * t.name().hashCode() + java.util.Arrays.hashCode(t.shape())) + java.util.Arrays.hashCode(t.data());
      h = 31 * h + th;
    }
    return h;
  }

  /** Hashes of the initial parameters recorded before the choice of init existed. */
  @Test
  void defaultInitIsBitIdenticalToTheEngineBeforeTheChoice() {
    assertEquals(-1029884296, hash(initial(NetworkSpec.parse(784, MLP), 42)));
    assertEquals(-442416981, hash(initial(NetworkSpec.parse(784,
        "dense(16,tanh) > dropout(0.3) > dense(8,leaky_relu) > dense(3,sigmoid)"), 42)));
  }

  @Test
  void autoIsHeForReluAndGlorotOtherwise() {
    NetworkSpec auto = NetworkSpec.parse(784, MLP);
    NetworkSpec explicit = NetworkSpec.parse(784, "dense(128,relu,init=he) > dense(10,softmax,init=glorot)");
    assertEquals(initial(auto, 7), initial(explicit, 7));
    assertEquals(WeightInit.HE, WeightInit.AUTO.resolve(Activation.LEAKY_RELU));
    assertEquals(WeightInit.GLOROT, WeightInit.AUTO.resolve(Activation.TANH));
    assertEquals(WeightInit.LECUN, WeightInit.LECUN.resolve(Activation.RELU));
  }

  @ParameterizedTest
  @EnumSource(WeightInit.class)
  void weightsAndBiasesAreUniformWithinTheSchemesLimits(WeightInit init) {
    int in = 784;
    int out = 128;
    List<NamedTensor> p = initial(NetworkSpec.parse(in, "dense(" + out + ",relu) > dense(10,softmax)").withInit(init), 3);
    double limit = switch (init.resolve(Activation.RELU)) {
      case HE -> Math.sqrt(6.0 / in);
      case GLOROT -> Math.sqrt(6.0 / (in + out));
      case LECUN -> Math.sqrt(3.0 / in);
      case TORCH -> 1.0 / Math.sqrt(in);
      default -> throw new IllegalStateException();
    };
    assertUniform(p.get(0).data(), limit, init + " weights");
    if (init == WeightInit.TORCH) {
      assertEquals(1.0 / Math.sqrt(in), init.biasLimit(in), 1e-15);
      assertUniform(p.get(1).data(), limit, "torch hidden biases", 0.2);
      // the output layer's biases are drawn too, from its own fan-in of 128
      double outLimit = 1.0 / Math.sqrt(128);
      assertTrue(maxAbs(p.get(3).data()) <= outLimit, "torch output biases within +-" + outLimit);
      assertTrue(maxAbs(p.get(3).data()) > 0.3 * outLimit, "torch output biases are drawn");
    } else {
      assertEquals(0.0, maxAbs(p.get(1).data()), init + " biases must be zero");
      assertEquals(0.0, maxAbs(p.get(3).data()), init + " biases must be zero");
    }
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float x : v) {
      m = Math.max(m, Math.abs(x));
    }
    return m;
  }

  private static void assertUniform(float[] v, double limit, String what) {
    assertUniform(v, limit, what, 0.02);
  }

  /** Every value within +-limit, mean ~0 and standard deviation ~limit/sqrt(3) (a uniform's). */
  private static void assertUniform(float[] v, double limit, String what, double tolerance) {
    double sum = 0;
    double sq = 0;
    for (float x : v) {
      assertTrue(Math.abs(x) <= limit, what + ": " + x + " outside +-" + limit);
      sum += x;
      sq += (double) x * x;
    }
    double mean = sum / v.length;
    double std = Math.sqrt(sq / v.length - mean * mean);
    assertTrue(Math.abs(mean) < tolerance * limit, what + ": mean " + mean + " for limit " + limit);
    assertEquals(limit / Math.sqrt(3.0), std, tolerance * limit, what + ": standard deviation");
    assertTrue(maxAbs(v) > (1 - tolerance) * limit, what + ": largest |value| " + maxAbs(v) + " for limit " + limit);
  }

  @ParameterizedTest
  @EnumSource(WeightInit.class)
  void fixedSeedGivesBitIdenticalParameters(WeightInit init) {
    NetworkSpec spec = NetworkSpec.parse(20, "dense(16,tanh) > dropout(0.2) > dense(3,softmax)").withInit(init);
    assertEquals(initial(spec, 11), initial(spec, 11));
    assertNotEquals(initial(spec, 11), initial(spec, 12));
  }

  @Test
  void schemesDiffer() {
    NetworkSpec spec = NetworkSpec.parse(20, "dense(16,relu) > dense(3,softmax)");
    assertNotEquals(initial(spec.withInit(WeightInit.TORCH), 1), initial(spec.withInit(WeightInit.LECUN), 1));
    assertNotEquals(initial(spec.withInit(WeightInit.LECUN), 1), initial(spec, 1));
  }

  @Test
  void textRoundTripsAndOmitsTheDefault() {
    NetworkSpec spec = NetworkSpec.parse(5, "dense(8, relu, INIT = Torch) > dropout(0.1) > dense(4,init=lecun) > dense(3,softmax,init=auto)");
    assertEquals("dense(8,relu,init=torch) > dropout(0.1) > dense(4,linear,init=lecun) > dense(3,softmax)", spec.text());
    assertEquals(spec, NetworkSpec.parse(5, spec.text()));
    assertEquals(new LayerSpec.Dense(8, Activation.RELU, WeightInit.TORCH), spec.layers().get(0));
    assertEquals(new LayerSpec.Dense(3, Activation.SOFTMAX), spec.layers().get(3));
    for (WeightInit init : WeightInit.values()) {
      NetworkSpec each = NetworkSpec.parse(5, MLP).withInit(init);
      assertEquals(each, NetworkSpec.parse(5, each.text()), each.text());
    }
    // a spec that names no init reads and writes exactly as before
    assertEquals(MLP, NetworkSpec.parse(784, MLP).text());
    assertEquals(WeightInit.HE, WeightInit.fromToken("kaiming"));
    assertEquals(WeightInit.GLOROT, WeightInit.fromToken("Xavier"));
    assertEquals(WeightInit.TORCH, WeightInit.fromToken("pytorch"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"dense(3,relu,init=normal)", "dense(3,relu,bias=0)", "dense(3,relu,init=he,init=he)",
    "dense(3,init=he,relu)", "dense(init=he)", "dense(3,relu,he)"})
  void rejectsBadInitNamingThePosition(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(4, text));
    assertTrue(e.getMessage().contains("position"), e.getMessage());
  }

  @Test
  void validatesTheRecord() {
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Dense(3, Activation.RELU, null));
    assertThrows(IllegalArgumentException.class, () -> WeightInit.fromToken("orthogonal"));
  }
}
