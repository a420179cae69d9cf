package dev.loopkit.benchmarks.e2e;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The one output format every workload speaks, in every language: a line
 * {@code RESULT<TAB>workload<TAB>variant<TAB>metric<TAB>value}. The driver reads only these lines.
 */
public final class Results {

    private static PrintStream out = System.out;

    private Results() {
    }

    /** Where results go (the smoke test collects them). */
    public static synchronized void redirect(PrintStream stream) {
        out = stream;
    }

    public static synchronized void emit(String workload, String variant, String metric, double value) {
        out.printf(Locale.ROOT, "RESULT\t%s\t%s\t%s\t%.6g%n", workload, variant, metric, value);
        out.flush();
    }

    /** The {@code p}-th percentile (0..100) of {@code values}, nearest rank; sorts a copy. */
    public static double percentile(long[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sortedPercentile(sorted, p);
    }

    public static double sortedPercentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    public static double mean(long[] values) {
        double sum = 0;
        for (long value : values) {
            sum += value;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }
}
