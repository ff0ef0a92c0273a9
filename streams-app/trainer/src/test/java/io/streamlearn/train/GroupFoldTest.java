package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.tensor.NamedTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The group's arithmetic on a two-tensor network, with values a float holds exactly (halves and
 * quarters), so every expectation is hand-computed and compared without a tolerance.
 */
class GroupFoldTest {
  private static List<NamedTensor> net(float w0, float w1, float w2, float w3, float b0, float b1) {
    return List.of(new NamedTensor("layers.0.weight", new int[] {2, 2}, new float[] {w0, w1, w2, w3}),
        new NamedTensor("layers.0.bias", new int[] {2}, new float[] {b0, b1}));
  }

  private static void assertNet(List<NamedTensor> expected, List<NamedTensor> actual) {
    assertEquals(expected.size(), actual.size());
    for (int t = 0; t < expected.size(); t++) {
      assertEquals(expected.get(t).name(), actual.get(t).name());
      assertArrayEquals(expected.get(t).shape(), actual.get(t).shape(), expected.get(t).name());
      assertArrayEquals(expected.get(t).data(), actual.get(t).data(), expected.get(t).name());
    }
  }

  private final List<NamedTensor> base = net(1f, 2f, 3f, 4f, 0.5f, -0.5f);

  @Test
  void anUpdateIsTheReplicaMinusTheAnchorAndPlusAddsItBack() {
    List<NamedTensor> replica = net(1.5f, 1f, 3f, 6f, 0f, -0.25f);
    List<NamedTensor> update = GroupFold.minus(replica, base);
    assertNet(net(0.5f, -1f, 0f, 2f, -0.5f, 0.25f), update);
    assertNet(replica, GroupFold.plus(base, update));
    assertNet(net(1f, 2f, 3f, 4f, 0.5f, -0.5f), base); // the inputs are left as they were
  }

  @Test
  void aSumFoldAppliesEveryUpdateOnceWhateverItsExamples() {
    List<NamedTensor> a = net(1f, 0f, 0f, 0f, 0.25f, 0f);
    List<NamedTensor> b = net(0f, -2f, 0f, 0.5f, 0.25f, 1f);
    List<NamedTensor> folded = GroupFold.fold(base, List.of(a, b), new long[] {10, 30}, GroupFold.SUM);
    assertNet(net(2f, 0f, 3f, 4.5f, 1f, 0.5f), folded);
  }

  @Test
  void aMeanFoldWeighsEachUpdateByItsShareOfTheExamples() {
    List<NamedTensor> a = net(4f, 0f, 0f, 0f, 1f, 0f);
    List<NamedTensor> b = net(0f, 4f, 0f, 0f, 1f, 0f);
    // weights 10/40 = 0.25 and 30/40 = 0.75
    List<NamedTensor> folded = GroupFold.fold(base, List.of(a, b), new long[] {10, 30}, GroupFold.MEAN);
    assertNet(net(2f, 5f, 3f, 4f, 1.5f, -0.5f), folded);
  }

  @Test
  void aMeanFoldOfUpdatesWithoutExamplesLeavesTheBaseAsItIsInACopy() {
    List<NamedTensor> a = net(4f, 4f, 4f, 4f, 4f, 4f);
    List<NamedTensor> folded = GroupFold.fold(base, List.of(a, a), new long[] {0, 0}, GroupFold.MEAN);
    assertNet(base, folded);
    assertNotSame(base.get(0).data(), folded.get(0).data());
    assertNet(base, GroupFold.fold(base, List.of(), new long[0], GroupFold.MEAN));
  }

  @Test
  void aFoldWithoutUpdatesIsTheBase() {
    assertNet(base, GroupFold.fold(base, List.of(), new long[0], GroupFold.SUM));
  }

  @Test
  void aFoldRefusesAnUpdateOfAnotherNetworkAndCountsThatDoNotMatch() {
    List<NamedTensor> wider = List.of(new NamedTensor("layers.0.weight", new int[] {2, 3}, new float[6]),
        new NamedTensor("layers.0.bias", new int[] {2}, new float[2]));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GroupFold.fold(base, List.of(wider), new long[] {1}, GroupFold.SUM));
    assertTrue(e.getMessage().contains("different networks"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> GroupFold.fold(base, List.of(base), new long[] {1, 2}, GroupFold.SUM));
    assertTrue(e.getMessage().contains("1 updates with 2 example counts"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> GroupFold.fold(base, List.of(base), new long[] {1}, "median"));
    assertTrue(e.getMessage().contains("median"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GroupFold.minus(base, wider));
    assertThrows(IllegalArgumentException.class, () -> GroupFold.plus(base, base.subList(0, 1)));
  }

  @Test
  void sameShapeWantsTheSameTensorNamesAndSizesInOrder() {
    assertTrue(GroupFold.sameShape(base, net(0f, 0f, 0f, 0f, 0f, 0f)));
    assertFalse(GroupFold.sameShape(base, List.of(base.get(1), base.get(0))), "order");
    assertFalse(GroupFold.sameShape(base, base.subList(0, 1)), "count");
    assertFalse(GroupFold.sameShape(base, List.of(base.get(0),
        new NamedTensor("layers.1.bias", new int[] {2}, new float[2]))), "name");
    assertFalse(GroupFold.sameShape(base, List.of(base.get(0),
        new NamedTensor("layers.0.bias", new int[] {3}, new float[3]))), "size");
  }
}
