package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxTableTest {

  @Test
  void aRowWhereTheEngineIsFasterShowsTheRatioAndNoWhy() {
    OnnxTable.Row row = new OnnxTable.Row("MLP", 64, 400_000, 200_000, 160, 320, 3e-8, 100, 1e7);
    assertEquals(2.0, row.ratio(), 1e-12);
    assertEquals("", row.why());
    String table = OnnxTable.table(List.of(row), "footnote");
    assertTrue(table.contains("| MLP              |    64 |      400000 |      200000 |      2.00x |"), table);
    assertTrue(table.contains("160.0 us") && table.contains("3.00e-08") && table.endsWith("footnote\n"), table);
  }

  @Test
  void aSlowerEngineRowSaysHowMuchOfItsCallIsTheMatrixProducts() {
    OnnxTable.Row javaBound = new OnnxTable.Row("CNN", 1, 1000, 2000, 1000, 500, 0, 250, 25e6);
    assertEquals("gemm 250 us = 25% of the call (100 GFLOP/s; ORT's whole call >= 50), other Java work 75%;"
        + " the products alone fit in ORT's call, the rest is the gap", javaBound.why());
    OnnxTable.Row blasBound = new OnnxTable.Row("CNN", 64, 1000, 2000, 1000, 500, 0, 800, 1e6);
    assertTrue(blasBound.why().startsWith("gemm 800 us = 80% of the call")
        && blasBound.why().endsWith("the products alone take longer than ORT's whole call"), blasBound.why());
    assertTrue(OnnxTable.table(List.of(blasBound), "").contains("0.50x"));
  }

  @Test
  void aRowWithoutTimesOrWithANonFiniteDifferenceIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new OnnxTable.Row("m", 1, 0, 1, 1, 1, 0, 1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new OnnxTable.Row("m", 1, 1, 1, 1, 1, Double.NaN, 1, 1));
    assertTrue(e.getMessage().contains("maxAbsDiff"), e.getMessage());
  }
}
