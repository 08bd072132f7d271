package org.qformerlab.blip2.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An append-only metrics log in JSON Lines: one JSON object per line, e.g.
 * {@code {"step":100,"itc":2.31,"itm":0.52,"lr":1e-4}}. Trainers append to it; reports and notebooks
 * read it back and plot {@link #series series} from it.
 *
 * <p>Each {@link #append(Map)} writes one whole line and flushes it, so a crash loses at most the line
 * being written, and other processes can follow the log while training runs. Non-finite numbers are
 * written as the bare tokens {@code NaN}, {@code Infinity} and {@code -Infinity} (as Python's
 * {@code json} module writes and reads them) and read back as doubles, so a diverged loss survives the
 * round trip.
 *
 * <pre>{@code
 * try (MetricsLog log = MetricsLog.open(runDir.resolve("metrics.jsonl"))) {
 *     log.append(Map.of("step", step, "loss", loss));
 * }
 * double[][] loss = MetricsLog.series(MetricsLog.read(file), "step", "loss");
 * }</pre>
 */
public final class MetricsLog implements Closeable {

    /**
     * The key that marks a row written after training (an experiment's final test evaluation): a
     * resumed run drops such rows with those past its checkpoint, and writes its own.
     */
    public static final String FINAL = "final";

    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final TypeReference<LinkedHashMap<String, Object>> ROW = new TypeReference<>() {
    };

    private final Path file;
    private final BufferedWriter writer;

    private MetricsLog(Path file, BufferedWriter writer) {
        this.file = file;
        this.writer = writer;
    }

    /**
     * Opens a log for appending, creating the file and its folders if needed. If an earlier writer
     * died mid-line, a line break is added first so that new rows start on a line of their own.
     */
    public static MetricsLog open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        boolean needsLineBreak = endsMidLine(file);
        BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        if (needsLineBreak) {
            writer.write('\n');
            writer.flush();
        }
        return new MetricsLog(file, writer);
    }

    /** The file this log appends to. */
    public Path file() {
        return file;
    }

    /** Appends one row as a single JSON line and flushes it. */
    public synchronized void append(Map<String, ?> row) throws IOException {
        writer.write(JSON.writeValueAsString(row));
        writer.write('\n');
        writer.flush();
    }

    /** Closes the file. */
    @Override
    public synchronized void close() throws IOException {
        writer.close();
    }

    /**
     * Reads every row of a log, in order; blank lines are skipped. Numbers come back as
     * {@link Integer}, {@link Long} or {@link Double}.
     *
     * @throws MetricsLogFormatException if a line is not a JSON object, naming the file and line
     */
    public static List<Map<String, Object>> read(Path file) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    rows.add(parse(file, lineNumber, line));
                }
            }
        }
        return rows;
    }

    /**
     * Reads the rows of a log whose writer may have been killed in the middle of a line (a crashed
     * run about to be resumed): an unterminated last line is left out; every other line must parse.
     */
    public static List<Map<String, Object>> readCompleteLines(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<Map<String, Object>> rows = new ArrayList<>();
        String[] lines = text.substring(0, text.lastIndexOf('\n') + 1).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                rows.add(parse(file, i + 1, lines[i]));
            }
        }
        return rows;
    }

    /**
     * Extracts {@code {xs, ys}} for plotting (see {@link org.qformerlab.blip2.report.Charts#lossCurves}). Rows lacking either key,
     * or holding null there, are skipped: a log mixes training rows and evaluation rows.
     *
     * @throws IllegalArgumentException if a row holds a non-number under either key
     */
    public static double[][] series(List<? extends Map<String, ?>> rows, String xKey, String yKey) {
        double[] xs = new double[rows.size()];
        double[] ys = new double[rows.size()];
        int n = 0;
        for (int i = 0; i < rows.size(); i++) {
            Map<String, ?> row = rows.get(i);
            if (row.get(xKey) == null || row.get(yKey) == null) {
                continue;
            }
            xs[n] = number(row, i, xKey);
            ys[n] = number(row, i, yKey);
            n++;
        }
        return new double[][] {Arrays.copyOf(xs, n), Arrays.copyOf(ys, n)};
    }

    private static Map<String, Object> parse(Path file, int lineNumber, String line)
            throws MetricsLogFormatException {
        try {
            return JSON.readValue(line, ROW);
        } catch (JsonProcessingException e) {
            throw new MetricsLogFormatException(file, lineNumber, line,
                    "not a JSON object (" + e.getOriginalMessage() + ")", e);
        }
    }

    private static double number(Map<String, ?> row, int index, String key) {
        Object value = row.get(key);
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException(
                    "row " + index + ": '" + key + "' is not a number: " + value);
        }
        return number.doubleValue();
    }

    private static boolean endsMidLine(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return false;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(raf.length() - 1);
            return raf.read() != '\n';
        }
    }
}
