package io.streamlearn.learn;

import java.nio.FloatBuffer;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Time of one Adam step over the MLP 784-128-10's 101,770 parameters, as the learner calls it (weight
 * gradients copied in from native memory, weights copied back) and without the native copies. Not a
 * test; run by hand, e.g. with and without {@code -XX:-UseSuperWord} to see whether C2 vectorises
 * the update: {@code OMP_NUM_THREADS=1 java -cp learn/target/classes:learn/target/test-classes:<deps>
 * io.streamlearn.learn.AdamStep}.
 */
final class AdamStep {

  private static final int WEIGHTS = 784 * 128 + 128 * 10;
  private static final int TOTAL = WEIGHTS + 128 + 10;

  private AdamStep() {
  }

  public static void main(String[] args) throws Exception {
    SplittableRandom random = new SplittableRandom(1);
    float[] params = new float[TOTAL];
    float[] grads = new float[TOTAL];
    for (int k = 0; k < TOTAL; k++) {
      params[k] = (float) (random.nextDouble() - 0.5);
      grads[k] = (float) ((random.nextDouble() - 0.5) * 1e-2);
    }
    float[] gradsCopy = grads.clone();
    FloatBuffer nativeGrads = Network.allocate(WEIGHTS);
    nativeGrads.put(0, grads, 0, WEIGHTS);
    FloatBuffer nativeParams = Network.allocate(WEIGHTS);
    Optimizer optimizer = new Optimizer(OptimizerConfig.adam(1e-3), TOTAL, WEIGHTS);
    System.out.printf(Locale.ROOT, "load average %s; flags %s%n",
        java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim(),
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    time("Adam step, with the native copies (as in Learner.fit)",
        () -> optimizer.apply(params, grads, nativeGrads, nativeParams, 1e-3));
    time("Adam step, Java arrays only", () -> {
      System.arraycopy(gradsCopy, 0, grads, 0, TOTAL);
      optimizer.apply(params, grads, 1e-3);
    });
    time("  of which restoring the gradients (arraycopy)", () -> System.arraycopy(gradsCopy, 0, grads, 0, TOTAL));
    float checksum = 0;
    for (float p : params) {
      checksum += p;
    }
    System.out.println("checksum " + checksum);
  }

  private static void time(String what, Runnable step) {
    int calls = 3000;
    for (int i = 0; i < calls; i++) {
      step.run();
    }
    double best = Double.MAX_VALUE;
    for (int round = 0; round < 5; round++) {
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        step.run();
      }
      best = Math.min(best, (System.nanoTime() - start) / 1e3 / calls);
    }
    System.out.printf(Locale.ROOT, "%8.2f us  %s%n", best, what);
  }
}
