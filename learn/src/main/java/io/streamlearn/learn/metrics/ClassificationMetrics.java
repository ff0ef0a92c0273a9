package io.streamlearn.learn.metrics;

/**
 * Prequential classification metrics: accuracy and loss, each cumulative, over the last
 * {@code window} examples and with a fading factor; and cumulative, windowed and fading confusion
 * matrices (per-class precision and recall).
 */
public final class ClassificationMetrics {

    private final int classes;
    private final FadingMean cumulativeAccuracy = new FadingMean(1.0);
    private final FadingMean cumulativeLoss = new FadingMean(1.0);
    private final WindowedMean windowedAccuracy;
    private final WindowedMean windowedLoss;
    private final FadingMean fadingAccuracy;
    private final FadingMean fadingLoss;
    private final ConfusionMatrix confusion;
    private final ConfusionMatrix windowedConfusion;
    private final FadingConfusionMatrix fadingConfusion;
    private final int[] recentActual;
    private final int[] recentPredicted;
    private int next;
    private int size;

    /**
     * @param classes number of classes, >= 1
     * @param window  length of the windowed metrics, >= 1
     * @param alpha   fading factor of the fading metrics, in (0, 1]
     */
    public ClassificationMetrics(int classes, int window, double alpha) {
        this.classes = classes;
        this.windowedAccuracy = new WindowedMean(window);
        this.windowedLoss = new WindowedMean(window);
        this.fadingAccuracy = new FadingMean(alpha);
        this.fadingLoss = new FadingMean(alpha);
        this.confusion = new ConfusionMatrix(classes);
        this.windowedConfusion = new ConfusionMatrix(classes);
        this.fadingConfusion = new FadingConfusionMatrix(classes, alpha);
        this.recentActual = new int[window];
        this.recentPredicted = new int[window];
    }

    /**
     * Records one prediction.
     *
     * @param loss the example's loss (e.g. {@code -log p[actual]}), or NaN if unknown (not averaged)
     */
    public void add(int actual, int predicted, double loss) {
        confusion.add(actual, predicted);
        if (size == recentActual.length) {
            windowedConfusion.remove(recentActual[next], recentPredicted[next]);
        } else {
            size++;
        }
        windowedConfusion.add(actual, predicted);
        fadingConfusion.add(actual, predicted);
        recentActual[next] = actual;
        recentPredicted[next] = predicted;
        next = (next + 1) % recentActual.length;
        double hit = actual == predicted ? 1.0 : 0.0;
        cumulativeAccuracy.add(hit);
        windowedAccuracy.add(hit);
        fadingAccuracy.add(hit);
        if (!Double.isNaN(loss)) {
            cumulativeLoss.add(loss);
            windowedLoss.add(loss);
            fadingLoss.add(loss);
        }
    }

    /** Records a batch of predictions from probabilities: predicted class is the argmax, loss is {@code -log p[actual]}. */
    public void addProbabilities(float[] probabilities, int[] actual, int rows) {
        for (int r = 0, base = 0; r < rows; r++, base += classes) {
            int best = 0;
            for (int j = 1; j < classes; j++) {
                if (probabilities[base + j] > probabilities[base + best]) {
                    best = j;
                }
            }
            double p = Math.max(probabilities[base + actual[r]], 1e-7);
            add(actual[r], best, -Math.log(p));
        }
    }

    /** Examples recorded. */
    public long count() {
        return cumulativeAccuracy.count();
    }

    /** Accuracy over every example. */
    public double accuracy() {
        return cumulativeAccuracy.mean();
    }

    /** Accuracy over the last {@code window} examples. */
    public double windowedAccuracy() {
        return windowedAccuracy.mean();
    }

    /** Accuracy with the fading factor. */
    public double fadingAccuracy() {
        return fadingAccuracy.mean();
    }

    /** Mean loss over every example. */
    public double loss() {
        return cumulativeLoss.mean();
    }

    /** Mean loss over the last {@code window} examples. */
    public double windowedLoss() {
        return windowedLoss.mean();
    }

    /** Mean loss with the fading factor. */
    public double fadingLoss() {
        return fadingLoss.mean();
    }

    /** The confusion matrix over every example (live view; do not modify). */
    public ConfusionMatrix confusion() {
        return confusion;
    }

    /** The confusion matrix over the last {@code window} examples (live view; do not modify). */
    public ConfusionMatrix windowedConfusion() {
        return windowedConfusion;
    }

    /** The confusion matrix with the fading factor (live view; do not modify). */
    public FadingConfusionMatrix fadingConfusion() {
        return fadingConfusion;
    }
}
