package io.streamlearn.learn.metrics;

/** Prequential regression metrics: MAE and RMSE, each cumulative, over the last N values and fading. */
public final class RegressionMetrics {

    private final FadingMean absolute = new FadingMean(1.0);
    private final FadingMean squared = new FadingMean(1.0);
    private final WindowedMean windowedAbsolute;
    private final WindowedMean windowedSquared;
    private final FadingMean fadingAbsolute;
    private final FadingMean fadingSquared;

    /**
     * @param window length of the windowed metrics, >= 1
     * @param alpha  fading factor, in (0, 1]
     */
    public RegressionMetrics(int window, double alpha) {
        windowedAbsolute = new WindowedMean(window);
        windowedSquared = new WindowedMean(window);
        fadingAbsolute = new FadingMean(alpha);
        fadingSquared = new FadingMean(alpha);
    }

    /** Records one prediction. */
    public void add(double actual, double predicted) {
        double error = predicted - actual;
        double abs = Math.abs(error);
        double sq = error * error;
        absolute.add(abs);
        squared.add(sq);
        windowedAbsolute.add(abs);
        windowedSquared.add(sq);
        fadingAbsolute.add(abs);
        fadingSquared.add(sq);
    }

    /** Values recorded. */
    public long count() {
        return absolute.count();
    }

    /** Mean absolute error over every value. */
    public double mae() {
        return absolute.mean();
    }

    /** Root mean squared error over every value. */
    public double rmse() {
        return Math.sqrt(squared.mean());
    }

    /** MAE over the last N values. */
    public double windowedMae() {
        return windowedAbsolute.mean();
    }

    /** RMSE over the last N values. */
    public double windowedRmse() {
        return Math.sqrt(windowedSquared.mean());
    }

    /** MAE with the fading factor. */
    public double fadingMae() {
        return fadingAbsolute.mean();
    }

    /** RMSE with the fading factor. */
    public double fadingRmse() {
        return Math.sqrt(fadingSquared.mean());
    }
}
