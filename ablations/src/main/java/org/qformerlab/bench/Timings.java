package org.qformerlab.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Wall-clock durations of repetitions, summarised robustly (median, min, max). */
public final class Timings {

    private final List<Double> ms = new ArrayList<>();

    public void add(long nanos) {
        ms.add(nanos / 1e6);
    }

    public int count() {
        return ms.size();
    }

    public double medianMs() {
        List<Double> s = sorted();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public double minMs() {
        return sorted().get(0);
    }

    public double maxMs() {
        List<Double> s = sorted();
        return s.get(s.size() - 1);
    }

    private List<Double> sorted() {
        if (ms.isEmpty()) {
            throw new IllegalStateException("no repetitions were timed");
        }
        List<Double> s = new ArrayList<>(ms);
        Collections.sort(s);
        return s;
    }
}
