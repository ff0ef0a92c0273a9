package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class EngineTableTest {

  @Test
  void tableShowsBothFiguresAndTheRatios() {
    String table = EngineTable.table(
        Map.of("mlp_train_eps", 200_000.0, "mlp_test_acc", 0.84, "mlp_latency_us", 5.0),
        Map.of("mlp_train_eps", 100_000.0, "mlp_test_acc", 0.835, "mlp_latency_us", 20.0), "note");
    assertTrue(table.contains("|       200000 |       100000 |    2.00x |"), table);
    assertTrue(table.contains("+0.0050"), table);
    assertTrue(table.contains("4.00x"), table);
    assertTrue(table.contains("note"), table);
  }

  @Test
  void seedMeanRowsShowTheDifferenceAndAreLeftOutWithoutSeeds() {
    Map<String, Double> ours = Map.of("mlp_preq_acc_seeds", 0.815, "mlp_default_preq_acc", 0.82);
    Map<String, Double> theirs = Map.of("mlp_preq_acc_seeds", 0.81, "mlp_default_preq_acc", 0.81);
    String table = EngineTable.table(ours, theirs, "note", "1,2,3,4");
    assertTrue(table.contains("same, mean of seeds 1,2,3,4"), table);
    assertTrue(table.contains("+0.0050"), table);
    assertTrue(table.contains("+0.0100"), table);
    assertFalse(EngineTable.table(Map.of(), Map.of(), "note", "").contains("mean of seeds"));
  }

  @Test
  void missingReferenceLeavesTheRatioEmpty() {
    String table = EngineTable.table(Map.of("softmax_train_eps", 1.0), Map.of(), "PyTorch reference skipped: x");
    assertTrue(table.contains("|            1 |            - |          |"), table);
    assertTrue(table.contains("skipped"), table);
  }
}
