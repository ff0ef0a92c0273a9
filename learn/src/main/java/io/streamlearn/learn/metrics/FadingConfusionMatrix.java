package io.streamlearn.learn.metrics;

/**
 * A confusion matrix with a fading factor: each example weighs {@code alpha^age}, so accuracy,
 * precision and recall follow the recent stream. O(1) per example: instead of decaying every cell,
 * new examples get a weight that grows by {@code 1/alpha} per example (ratios are unchanged), and
 * the cells are rescaled now and then to stay in range.
 */
public final class FadingConfusionMatrix {

    private static final double RESCALE_AT = 1e150;

    private final int classes;
    private final double alpha;
    private final double[] weights;
    private double total;
    private double increment = 1.0;
    private long count;

    /**
     * @param classes number of classes, >= 1
     * @param alpha   fading factor in (0, 1]
     */
    public FadingConfusionMatrix(int classes, double alpha) {
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        }
        if (!(alpha > 0.0 && alpha <= 1.0)) {
            throw new IllegalArgumentException("alpha must be in (0, 1], got " + alpha);
        }
        this.classes = classes;
        this.alpha = alpha;
        this.weights = new double[classes * classes];
    }

    /** Counts one example. */
    public void add(int actual, int predicted) {
        if (actual < 0 || actual >= classes || predicted < 0 || predicted >= classes) {
            throw new IllegalArgumentException("classes must be in [0, " + classes + "), got actual " + actual
                    + " predicted " + predicted);
        }
        if (count > 0) {
            increment /= alpha;
        }
        weights[actual * classes + predicted] += increment;
        total += increment;
        count++;
        if (increment > RESCALE_AT) {
            for (int i = 0; i < weights.length; i++) {
                weights[i] /= increment;
            }
            total /= increment;
            increment = 1.0;
        }
    }

    /** Examples counted. */
    public long count() {
        return count;
    }

    /** Faded share of correct predictions, NaN when empty. */
    public double accuracy() {
        if (count == 0) {
            return Double.NaN;
        }
        double correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += weights[c * classes + c];
        }
        return correct / total;
    }

    /** Faded precision of class {@code c}, NaN if it was never predicted. */
    public double precision(int c) {
        double predicted = 0;
        for (int a = 0; a < classes; a++) {
            predicted += weights[a * classes + c];
        }
        return predicted == 0 ? Double.NaN : weights[c * classes + c] / predicted;
    }

    /** Faded recall of class {@code c}, NaN if it never occurred. */
    public double recall(int c) {
        double actual = 0;
        for (int p = 0; p < classes; p++) {
            actual += weights[c * classes + p];
        }
        return actual == 0 ? Double.NaN : weights[c * classes + c] / actual;
    }
}
