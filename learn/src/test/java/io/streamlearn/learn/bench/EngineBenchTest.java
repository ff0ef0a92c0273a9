package io.streamlearn.learn.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class EngineBenchTest {

    @Test
    void tableShowsBothFiguresAndTheRatios() {
        String table = EngineBench.table(
                Map.of("mlp_train_eps", 200_000.0, "mlp_test_acc", 0.84, "mlp_latency_us", 5.0),
                Map.of("mlp_train_eps", 100_000.0, "mlp_test_acc", 0.835, "mlp_latency_us", 20.0), "note");
        assertTrue(table.contains("|       200000 |       100000 |    2.00x |"), table);
        assertTrue(table.contains("+0.0050"), table);
        assertTrue(table.contains("4.00x"), table);
        assertTrue(table.contains("note"), table);
    }

    @Test
    void missingReferenceLeavesTheRatioEmpty() {
        String table = EngineBench.table(Map.of("softmax_train_eps", 1.0), Map.of(), "PyTorch reference skipped: x");
        assertTrue(table.contains("|            1 |            - |          |"), table);
        assertTrue(table.contains("skipped"), table);
    }
}
