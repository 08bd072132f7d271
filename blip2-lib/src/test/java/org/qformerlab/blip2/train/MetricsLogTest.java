package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.report.Charts;

class MetricsLogTest {

    /** An ordered row map from alternating keys and values. */
    private static Map<String, Object> row(Object... keysAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            row.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return row;
    }

    @Test
    void rowsRoundTripInOrder(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("run/metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(row("step", 0, "itc", 4.5, "variant", "q32"));
            log.append(row("step", 10, "itc", Double.NaN, "note", "line\nbreak"));
        }

        List<Map<String, Object>> rows = MetricsLog.read(file);

        assertEquals(2, Files.readAllLines(file).size(), "one line per row");
        assertEquals(row("step", 0, "itc", 4.5, "variant", "q32"), rows.get(0));
        assertEquals(List.of("step", "itc", "note"), List.copyOf(rows.get(1).keySet()));
        assertTrue(Double.isNaN((Double) rows.get(1).get("itc")), "NaN survives the round trip");
        assertEquals("line\nbreak", rows.get(1).get("note"));
    }

    @Test
    void eachAppendIsOnDiskBeforeClose(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(Map.of("step", 1));
            assertEquals(List.of(Map.of("step", 1)), MetricsLog.read(file));
        }
    }

    @Test
    void reopeningAppends(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(Map.of("step", 1));
        }
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(Map.of("step", 2));
        }
        assertEquals(List.of(Map.of("step", 1), Map.of("step", 2)), MetricsLog.read(file));
    }

    @Test
    void corruptLineNamesFileAndLineNumber(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1}\n\n{\"step\":2,\"loss\":\n{\"step\":3}\n");

        MetricsLogFormatException e = assertThrows(MetricsLogFormatException.class, () -> MetricsLog.read(file));

        assertEquals(3, e.lineNumber());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ", line 3: not a JSON object"), e.getMessage());
        assertTrue(e.getMessage().contains("{\"step\":2,\"loss\":"), e.getMessage());
    }

    @Test
    void aJsonValueThatIsNotAnObjectIsRejected(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "[1, 2]\n");
        assertEquals(1, assertThrows(MetricsLogFormatException.class, () -> MetricsLog.read(file)).lineNumber());
        Files.writeString(file, "{\"a\":1} trailing\n");
        assertEquals(1, assertThrows(MetricsLogFormatException.class, () -> MetricsLog.read(file)).lineNumber());
    }

    @Test
    void appendingAfterATruncatedLineStartsANewLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"step\":1}\n{\"step\":2,\"lo", StandardCharsets.UTF_8);
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(Map.of("step", 3));
        }
        assertEquals(List.of("{\"step\":1}", "{\"step\":2,\"lo", "{\"step\":3}"), Files.readAllLines(file));
        assertEquals(2, assertThrows(MetricsLogFormatException.class, () -> MetricsLog.read(file)).lineNumber());
    }

    @Test
    void seriesSkipsRowsWithoutBothKeys() {
        List<Map<String, Object>> rows = List.of(
                row("step", 0, "loss", 3.0),
                row("step", 5, "r1", 0.2),
                row("step", 10, "loss", 2.0));

        double[][] series = MetricsLog.series(rows, "step", "loss");

        assertArrayEquals(new double[] {0, 10}, series[0]);
        assertArrayEquals(new double[] {3.0, 2.0}, series[1]);
    }

    @Test
    void seriesRejectsNonNumbers() {
        List<Map<String, Object>> rows = List.of(row("step", 0, "loss", "high"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricsLog.series(rows, "step", "loss"));
        assertTrue(e.getMessage().contains("'loss' is not a number"), e.getMessage());
    }

    @Test
    void aLogFeedsAChart(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            for (int step = 0; step < 5; step++) {
                log.append(Map.of("step", step, "itc", 4.0 / (step + 1)));
            }
        }
        double[][] itc = MetricsLog.series(MetricsLog.read(file), "step", "itc");
        assertEquals(5, Charts.lossCurves("itc", Map.of("itc", itc)).getSeriesMap().get("itc").getXData().length);
    }
}
