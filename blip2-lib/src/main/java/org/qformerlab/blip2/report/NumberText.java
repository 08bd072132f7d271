package org.qformerlab.blip2.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * How a number is written in a human-facing table: whole numbers exactly, other numbers with four
 * significant digits, very small or very large ones in scientific notation, missing (NaN) as empty.
 */
final class NumberText {

    static final int SIGNIFICANT_DIGITS = 4;
    private static final double LARGEST_PLAIN = 1e9;
    private static final double SMALLEST_PLAIN = 1e-3;

    private NumberText() {
    }

    static String format(double value) {
        if (Double.isNaN(value)) {
            return "";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        double magnitude = Math.abs(value);
        if (value == Math.rint(value) && magnitude < LARGEST_PLAIN) {
            return Long.toString((long) value);
        }
        if (magnitude >= SMALLEST_PLAIN && magnitude < LARGEST_PLAIN) {
            BigDecimal rounded = new BigDecimal(Double.toString(value))
                    .round(new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_UP));
            return rounded.stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%." + (SIGNIFICANT_DIGITS - 1) + "e", value);
    }
}
