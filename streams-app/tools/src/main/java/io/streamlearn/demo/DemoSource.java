package io.streamlearn.demo;

import io.streamlearn.data.Dataset;
import io.streamlearn.testkit.gen.Example;
import io.streamlearn.testkit.gen.StreamGenerator;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What the demo replays: an endless sequence of examples, each either labeled (produced as a
 * {@code LabeledEvent}, trained on) or held out (produced as an unlabeled {@code FeatureEvent},
 * never trained on; the demo alone knows its label and scores the predictions against it). Not
 * thread-safe.
 */
interface DemoSource {
  /** One example to produce. */
  record Sample(float[] features, int label, boolean heldOut) {
    public Sample {
      Objects.requireNonNull(features, "features");
      if (label < 0) {
        throw new IllegalArgumentException("label must be >= 0, found " + label);
      }
    }
  }

  /** Length of every feature vector. */
  int featureCount();

  /** Number of classes. */
  int classCount();

  /** Names of the classes, or empty. */
  List<String> classNames();

  /** The next example. */
  Sample next();

  /** A generated drifting stream; a share of it is held out. */
  static DemoSource generated(StreamGenerator generator, double heldOutShare, long seed) {
    SplittableRandom random = new SplittableRandom(seed + 1);
    return new DemoSource() {
      @Override
      public int featureCount() {
        return generator.featureCount();
      }

      @Override
      public int classCount() {
        return generator.classCount();
      }

      @Override
      public List<String> classNames() {
        return List.of();
      }

      @Override
      public Sample next() {
        Example e = generator.next();
        return new Sample(e.features(), e.label(), random.nextDouble() < heldOutShare);
      }
    };
  }

  /**
   * A replay of a data set: labeled events from {@code train} in file order, cycling; held-out
   * events from {@code test}, cycling, as a share of all events.
   */
  static DemoSource replay(Dataset train, Dataset test, List<String> classNames, double heldOutShare,
                           long seed) {
    if (train.cols() != test.cols()) {
      throw new IllegalArgumentException("test set must have the training set's " + train.cols()
          + " features, found " + test.cols());
    }
    SplittableRandom random = new SplittableRandom(seed + 1);
    int classes = Math.max(train.classes(), test.classes());
    return new DemoSource() {
      private int nextTrain;
      private int nextTest;

      @Override
      public int featureCount() {
        return train.cols();
      }

      @Override
      public int classCount() {
        return classes;
      }

      @Override
      public List<String> classNames() {
        return classNames;
      }

      @Override
      public Sample next() {
        boolean heldOut = test.rows() > 0 && random.nextDouble() < heldOutShare;
        Dataset d = heldOut ? test : train;
        int row;
        if (heldOut) {
          row = nextTest;
          nextTest = (nextTest + 1) % test.rows();
        } else {
          row = nextTrain;
          nextTrain = (nextTrain + 1) % train.rows();
        }
        float[] x = Arrays.copyOfRange(d.features(), row * d.cols(), (row + 1) * d.cols());
        return new Sample(x, d.labels()[row], heldOut);
      }
    };
  }
}
