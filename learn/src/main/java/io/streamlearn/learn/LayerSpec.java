package io.streamlearn.learn;

/** One layer of a {@link NetworkSpec}: a dense layer or a dropout layer. */
public sealed interface LayerSpec {

    /** The compact text of this layer, e.g. {@code dense(128,relu)} or {@code dropout(0.2)}. */
    String text();

    /**
     * A fully connected layer {@code y = activation(x W + b)}.
     *
     * @param units      number of outputs, at least 1
     * @param activation activation applied to the outputs
     */
    record Dense(int units, Activation activation) implements LayerSpec {
        /** Validates the fields. */
        public Dense {
            if (units < 1) {
                throw new IllegalArgumentException("units must be >= 1, got " + units);
            }
            if (activation == null) {
                throw new IllegalArgumentException("activation must not be null");
            }
        }

        @Override
        public String text() {
            return "dense(" + units + "," + activation.token() + ")";
        }
    }

    /**
     * Inverted dropout: during training each input is zeroed with probability {@code rate} and the
     * survivors are scaled by {@code 1/(1-rate)}; at inference it is the identity.
     *
     * @param rate drop probability in {@code [0, 1)}
     */
    record Dropout(double rate) implements LayerSpec {
        /** Validates the fields. */
        public Dropout {
            if (!(rate >= 0.0 && rate < 1.0)) {
                throw new IllegalArgumentException("rate must be in [0, 1), got " + rate);
            }
        }

        @Override
        public String text() {
            return "dropout(" + rate + ")";
        }
    }
}
