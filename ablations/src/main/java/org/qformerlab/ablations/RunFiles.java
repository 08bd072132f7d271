package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.qformerlab.blip2.checkpoint.AtomicFiles;

/** Reads and writes a run folder's JSON files; every write is atomic (temp file + rename). */
final class RunFiles {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunFiles() {
    }

    static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, (JSON.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * True when two trees hold the same fields and values, numbers compared by value (a seed written
     * as a long reads back as an int).
     */
    static boolean sameTree(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> {
            if (x.equals(y)) {
                return 0;
            }
            if (x.isNumber() && y.isNumber()) {
                return x.decimalValue().compareTo(y.decimalValue());
            }
            return 1;
        }, b);
    }

    static JsonNode readTree(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /** The stored value, or {@code null} when the file is absent or unreadable (a torn run). */
    static <T> T read(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), type);
        } catch (IOException e) {
            return null;
        }
    }

    /** Appends one line to the run's {@code log.txt}. */
    static void appendLog(Path runDir, String line) throws IOException {
        Files.writeString(runDir.resolve(RunPlan.LOG), line + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
