package io.streamlearn.learn.drift;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * ADWIN (ADaptive WINdowing, Bifet and Gavaldà 2007): keeps a window of recent values compressed
 * into an exponential histogram of buckets and drops its oldest part whenever two sub-windows have
 * means that differ by more than the Hoeffding-style bound for confidence {@code delta}; a drop is
 * a detected drift. Memory and time per value are logarithmic in the window length. Cuts are
 * checked every {@link #CLOCK} values, as in the reference implementation.
 */
public final class Adwin implements DriftDetector {

    /** Buckets of each size kept before two are merged. */
    static final int MAX_BUCKETS = 5;
    /** Values between two checks for a cut. */
    static final int CLOCK = 32;
    /** Minimum length of each sub-window compared. */
    static final int MIN_SUB_WINDOW = 5;

    private final double delta;
    /** Oldest bucket first. */
    private final Deque<Bucket> buckets = new ArrayDeque<>();
    private long width;
    private double total;
    private double variance;
    private long ticks;
    private long detections;

    private static final class Bucket {
        long n;
        double sum;
        double m2;

        Bucket(long n, double sum, double m2) {
            this.n = n;
            this.sum = sum;
            this.m2 = m2;
        }

        double mean() {
            return sum / n;
        }
    }

    /** @param delta confidence of a detection, in (0, 1); smaller means fewer false alarms (0.002 is usual) */
    public Adwin(double delta) {
        if (!(delta > 0.0 && delta < 1.0)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        this.delta = delta;
    }

    /** ADWIN with the usual confidence 0.002. */
    public Adwin() {
        this(0.002);
    }

    @Override
    public boolean update(double error) {
        if (!Double.isFinite(error)) {
            throw new IllegalArgumentException("error must be finite, got " + error);
        }
        insert(error);
        compress();
        ticks++;
        if (ticks % CLOCK != 0 || width < 2L * MIN_SUB_WINDOW) {
            return false;
        }
        boolean cut = false;
        while (shouldCut()) {
            removeOldest();
            cut = true;
        }
        if (cut) {
            detections++;
        }
        return cut;
    }

    private void insert(double value) {
        if (width > 0) {
            double mean = total / width;
            variance += (double) width / (width + 1) * (value - mean) * (value - mean);
        }
        width++;
        total += value;
        buckets.addLast(new Bucket(1, value, 0.0));
    }

    /** Merges the two oldest buckets of any size that has more than {@link #MAX_BUCKETS}. */
    private void compress() {
        boolean merged = true;
        while (merged) {
            merged = false;
            // Walk from newest to oldest; bucket sizes are non-increasing from oldest to newest.
            Bucket[] all = buckets.toArray(new Bucket[0]);
            int i = all.length - 1;
            while (i >= 0) {
                long size = all[i].n;
                int j = i;
                while (j >= 0 && all[j].n == size) {
                    j--;
                }
                int count = i - j;
                if (count > MAX_BUCKETS) {
                    // the two oldest of this size are at j+1 and j+2
                    Bucket older = all[j + 1];
                    Bucket newer = all[j + 2];
                    double d = older.mean() - newer.mean();
                    older.m2 = older.m2 + newer.m2 + (double) older.n * newer.n / (older.n + newer.n) * d * d;
                    older.sum += newer.sum;
                    older.n += newer.n;
                    buckets.remove(newer);
                    merged = true;
                    break;
                }
                i = j;
            }
        }
    }

    private boolean shouldCut() {
        if (buckets.size() < 2) {
            return false;
        }
        double windowVariance = variance / width;
        double logTerm = Math.log(2.0 * Math.log(width) / delta);
        long n0 = 0;
        double s0 = 0;
        Iterator<Bucket> it = buckets.iterator();
        // the last bucket always stays in the newer sub-window
        for (int b = 0; b < buckets.size() - 1; b++) {
            Bucket bucket = it.next();
            n0 += bucket.n;
            s0 += bucket.sum;
            long n1 = width - n0;
            if (n0 < MIN_SUB_WINDOW || n1 < MIN_SUB_WINDOW) {
                continue;
            }
            double u0 = s0 / n0;
            double u1 = (total - s0) / n1;
            double m = 1.0 / (n0 - MIN_SUB_WINDOW + 1) + 1.0 / (n1 - MIN_SUB_WINDOW + 1);
            double epsilon = Math.sqrt(2.0 * m * windowVariance * logTerm) + 2.0 / 3.0 * logTerm * m;
            if (Math.abs(u0 - u1) > epsilon) {
                return true;
            }
        }
        return false;
    }

    private void removeOldest() {
        Bucket oldest = buckets.removeFirst();
        long rest = width - oldest.n;
        if (rest == 0) {
            width = 0;
            total = 0;
            variance = 0;
            return;
        }
        double restMean = (total - oldest.sum) / rest;
        double d = oldest.mean() - restMean;
        variance -= oldest.m2 + (double) oldest.n * rest / width * d * d;
        variance = Math.max(0.0, variance);
        width = rest;
        total -= oldest.sum;
    }

    @Override
    public void reset() {
        buckets.clear();
        width = 0;
        total = 0;
        variance = 0;
        ticks = 0;
    }

    /** Number of values in the current window. */
    public long width() {
        return width;
    }

    /** Mean of the current window (0 when empty). */
    public double mean() {
        return width == 0 ? 0.0 : total / width;
    }

    /** Drifts detected since construction. */
    public long detections() {
        return detections;
    }
}
