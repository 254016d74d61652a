package io.oneloop.bench.harness;

/** Small helpers for the results file. */
final class Json {
  private Json() {
  }

  /** Rounds to the given decimals; NaN and infinities become null. */
  static Double round(double v, int decimals) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return null;
    }
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }
}
