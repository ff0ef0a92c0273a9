package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.learn.scale.OnlineScaler;
import io.streamlearn.registry.OffsetRange;
import io.streamlearn.tensor.NamedTensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sync topic's records: their bytes round-trip, their keys, and bytes that are not one of them. */
class GroupRecordsTest {
  private static final List<NamedTensor> PARAMETERS = List.of(
      new NamedTensor("layers.0.weight", new int[] {2, 2}, new float[] {1f, -2f, Float.MIN_VALUE, 4e-7f}),
      new NamedTensor("layers.0.bias", new int[] {2}, new float[] {0.5f, -0f}));
  private static final List<OffsetRange> RANGES = List.of(new OffsetRange("labeled", 0, 100, 164),
      new OffsetRange("labeled", 0, 164, 228, 0.25, 48), new OffsetRange("labeled", 3, 7, 7));

  static GroupRecords.Contribution contribution() {
    return new GroupRecords.Contribution("fraud", "eu-west.1", "lq3x9k-12", 4, 192, PARAMETERS, RANGES,
        1_764_000_000_123L);
  }

  static GroupRecords.Round round(OnlineScaler.State scaler) {
    return new GroupRecords.Round("fraud", 5, "eu-west.1", "dense(2,softmax)", 2, 3, 10_000, 1_200, 0.0025, scaler,
        PARAMETERS, RANGES, List.of("fraud/c/eu-west.1/lq3x9k-12", "fraud/c/b_2/zz-1"), 1_764_000_000_456L);
  }

  @Test
  void aContributionRoundTripsItsUpdateAndItsSampledRanges() {
    GroupRecords.Contribution c = contribution();
    GroupRecords.Contribution d = GroupRecords.decodeContribution(GroupRecords.encode(c));
    assertEquals(c, d);
    assertEquals(0.25, d.ranges().get(1).sampleRate());
    assertEquals(48, d.ranges().get(1).skipped());
    assertEquals("fraud/c/eu-west.1/lq3x9k-12", d.key());
  }

  @Test
  void aContributionBeforeTheGroupsFirstRoundWithoutExamplesOrRangesRoundTrips() {
    GroupRecords.Contribution c = new GroupRecords.Contribution("m", "a", "x-1", -1, 0, PARAMETERS, List.of(), 0);
    assertEquals(c, GroupRecords.decodeContribution(GroupRecords.encode(c)));
    assertFalse(GroupRecords.decodeContribution(GroupRecords.encode(c)).last());
  }

  @Test
  void aStoppingMembersLastContributionSaysSo() {
    GroupRecords.Contribution c = new GroupRecords.Contribution("m", "a", "x-9", 3, 5, PARAMETERS, RANGES, 7, true);
    GroupRecords.Contribution d = GroupRecords.decodeContribution(GroupRecords.encode(c));
    assertTrue(d.last());
    assertEquals(c, d);
  }

  @Test
  void aRoundRoundTripsWithItsScalerAndItsFoldedKeys() {
    OnlineScaler.State scaler = new OnlineScaler.State("standard", 1_000, new double[] {1.5, -2}, new double[] {3, 4});
    GroupRecords.Round r = round(scaler);
    GroupRecords.Round d = GroupRecords.decodeRound(GroupRecords.encode(r));
    assertEquals(r, d);
    assertEquals(scaler, d.scaler());
    assertEquals(List.of("fraud/c/eu-west.1/lq3x9k-12", "fraud/c/b_2/zz-1"), d.folded());
    assertEquals(RANGES, d.unpublished());
    assertEquals(0.0025, d.learningRate());
  }

  @Test
  void aRoundWithoutAScalerRoundTripsWithoutOne() {
    GroupRecords.Round r = round(null);
    GroupRecords.Round d = GroupRecords.decodeRound(GroupRecords.encode(r));
    assertNull(d.scaler());
    assertEquals(r, d);
  }

  @Test
  void keysArePrefixedWithTheModelAndAMemberIdWithDotsAndDashesComesBackWhole() {
    assertEquals("fraud/round", GroupRecords.roundKey("fraud"));
    String key = GroupRecords.contributionKey("fraud", "eu-west.1", "lq3x9k-12");
    assertEquals("fraud/c/eu-west.1/lq3x9k-12", key);
    assertTrue(GroupRecords.isContribution("fraud", key));
    assertEquals("eu-west.1", GroupRecords.memberOf("fraud", key));
    assertEquals("a", GroupRecords.memberOf("fraud", GroupRecords.contributionKey("fraud", "a", "k-1")));
    assertFalse(GroupRecords.isContribution("fraud", GroupRecords.roundKey("fraud")), "a round is not one");
    assertFalse(GroupRecords.isContribution("fraud", "fraud2/c/a/k-1"), "another model's, sharing a prefix");
    assertFalse(GroupRecords.isContribution("fraud2", key), "another model's");
    assertFalse(GroupRecords.isContribution("fraud", null), "a record without a key");
  }

  @Test
  void bytesThatAreNotARecordAreRefusedNamingWhatWasExpected() {
    byte[] text = "{\"round\": 5}".getBytes(StandardCharsets.UTF_8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GroupRecords.decodeContribution(text));
    assertTrue(e.getMessage().startsWith("not a trainer group contribution"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GroupRecords.decodeRound(text));
    assertTrue(e.getMessage().startsWith("not a trainer group round"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GroupRecords.decodeRound(new byte[0]));
    assertTrue(e.getMessage().startsWith("not a trainer group round"), e.getMessage());

    byte[] aRound = GroupRecords.encode(round(null));
    e = assertThrows(IllegalArgumentException.class, () -> GroupRecords.decodeContribution(aRound));
    assertTrue(e.getMessage().contains("is not a contribution's"), "a round is not a contribution: " + e.getMessage());
    byte[] aContribution = GroupRecords.encode(contribution());
    e = assertThrows(IllegalArgumentException.class, () -> GroupRecords.decodeRound(aContribution));
    assertTrue(e.getMessage().contains("is not a round's"), e.getMessage());
  }

  @Test
  void truncatedBytesAreRefusedAtEveryLength() {
    byte[] c = GroupRecords.encode(contribution());
    for (int length = 0; length < c.length; length++) {
      byte[] cut = Arrays.copyOf(c, length);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GroupRecords.decodeContribution(cut), "contribution cut at " + length);
      assertTrue(e.getMessage().startsWith("not a trainer group contribution"), e.getMessage());
    }
    byte[] r = GroupRecords.encode(round(new OnlineScaler.State("minmax", 7, new double[] {0}, new double[] {1})));
    for (int length = 0; length < r.length; length++) {
      byte[] cut = Arrays.copyOf(r, length);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GroupRecords.decodeRound(cut), "round cut at " + length);
      assertTrue(e.getMessage().startsWith("not a trainer group round"), e.getMessage());
    }
  }

  @Test
  void aRecordOfAnotherFormatIsRefusedNamingTheFormat() {
    byte[] c = GroupRecords.encode(contribution());
    ByteBuffer.wrap(c).putInt(4, GroupRecords.FORMAT + 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GroupRecords.decodeContribution(c));
    assertTrue(e.getMessage().contains("contribution format " + (GroupRecords.FORMAT + 1) + " is not "
        + GroupRecords.FORMAT), e.getMessage());
    byte[] r = GroupRecords.encode(round(null));
    ByteBuffer.wrap(r).putInt(4, 0);
    e = assertThrows(IllegalArgumentException.class, () -> GroupRecords.decodeRound(r));
    assertTrue(e.getMessage().contains("round format 0 is not " + GroupRecords.FORMAT), e.getMessage());
  }
}
