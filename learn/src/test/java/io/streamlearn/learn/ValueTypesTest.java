package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ValueTypesTest {

    @Test
    void tensorValidatesAndCopies() {
        float[] data = {1, 2, 3, 4, 5, 6};
        int[] shape = {2, 3};
        Tensor t = new Tensor("w", shape, data);
        data[0] = 99;
        shape[0] = 7;
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.data());
        assertArrayEquals(new int[] {2, 3}, t.shape());
        t.data()[1] = 42;
        assertEquals(2f, t.data()[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Tensor("w", new int[] {4}, new float[3]));
        assertTrue(e.getMessage().contains("w") && e.getMessage().contains("3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Tensor(" ", new int[] {0}, new float[0]));
        assertEquals(new Tensor("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}), t);
    }

    @Test
    void preprocessorAppliesAndValidates() {
        Preprocessor p = new Preprocessor(new float[] {1, 2}, new float[] {2, 0.5f});
        float[] x = {3, 4, 1, 2};
        p.apply(x, x, 2);
        assertArrayEquals(new float[] {4, 1, 0, 0}, x);
        assertFalse(p.isIdentity());
        assertTrue(Preprocessor.identity(3).isIdentity());
        assertThrows(IllegalArgumentException.class, () -> new Preprocessor(new float[] {1}, new float[] {1, 2}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Preprocessor(new float[] {1, Float.NaN}, new float[] {1, 2}));
        assertTrue(e.getMessage().contains("offset[1]"), e.getMessage());
    }

    @Test
    void configsValidate() {
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.adam(0));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd(0.1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd(0.1, 0).withNesterov(true));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.adam(0.1).withL2(-1));
        NetworkSpec softmax = NetworkSpec.parse(3, "dense(2,softmax)");
        NetworkSpec linear = NetworkSpec.parse(3, "dense(2)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingConfig(linear, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.adam(0.1), 8, 1));
        assertTrue(e.getMessage().contains("softmax"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingConfig(softmax, Loss.BINARY_CROSS_ENTROPY, OptimizerConfig.adam(0.1), 8, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingConfig(softmax, Loss.MSE, OptimizerConfig.adam(0.1), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerState(-1, List.of()));
    }
}
