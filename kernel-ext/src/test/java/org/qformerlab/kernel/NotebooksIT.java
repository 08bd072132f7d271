package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executes every notebook under {@code notebooks/} headlessly with this kernel
 * ({@code jupyter nbconvert --execute}), with {@code QFORMERLAB_QUICK=1} so that long steps scale
 * down through the same code. A notebook passes when no cell errs, it shows at least one picture
 * ({@code image/png}) and one table ({@code text/html}), and every cell tagged {@code expect-png} or
 * {@code expect-html} produced that output.
 */
class NotebooksIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @TestFactory
    Stream<DynamicTest> everyNotebookRuns() throws Exception {
        JupyterEnvironment.requireJupyter();
        Path folder = Path.of(System.getProperty("notebooks.dir", "../notebooks")).toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(folder), "no notebooks folder at " + folder);
        List<Path> notebooks;
        try (Stream<Path> files = Files.list(folder)) {
            notebooks = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().collect(Collectors.toList());
        }
        assertFalse(notebooks.isEmpty(), "no .ipynb files in " + folder);
        Path jupyter = JupyterEnvironment.writeKernelSpec(work.resolve("jupyter"));
        return notebooks.stream().map(nb -> DynamicTest.dynamicTest(nb.getFileName().toString(),
                () -> execute(nb, jupyter)));
    }

    private void execute(Path notebook, Path jupyter) throws Exception {
        Path out = work.resolve("out");
        Files.createDirectories(out);
        String name = notebook.getFileName().toString();
        JupyterEnvironment.Result run = JupyterEnvironment.run(List.of(
                        JupyterEnvironment.JUPYTER, "nbconvert", "--execute", "--to", "notebook",
                        "--output-dir", out.toString(), "--output", name,
                        "--ExecutePreprocessor.kernel_name=" + JupyterEnvironment.KERNEL_NAME,
                        "--ExecutePreprocessor.timeout=600",
                        "--ExecutePreprocessor.startup_timeout=120",
                        notebook.toString()),
                JupyterEnvironment.jupyterEnv(jupyter), notebook.getParent(), 900);
        Path executed = out.resolve(name);
        if (Files.isRegularFile(executed)) {
            List<String> errors = errorOutputs(executed);
            assertTrue(errors.isEmpty(), name + " has error outputs:\n" + String.join("\n\n", errors));
        }
        assertEquals(0, run.exitCode(), "nbconvert failed on " + name + ":\n" + run.output());
        checkOutputs(name, JSON.readTree(executed.toFile()));
    }

    private static List<String> errorOutputs(Path executed) throws IOException {
        List<String> errors = new ArrayList<>();
        for (JsonNode cell : JSON.readTree(executed.toFile()).path("cells")) {
            for (JsonNode output : cell.path("outputs")) {
                if ("error".equals(output.path("output_type").asText())) {
                    List<String> tb = new ArrayList<>();
                    output.path("traceback").forEach(l -> tb.add(l.asText()));
                    errors.add("cell:\n" + source(cell) + "\n-> " + output.path("ename").asText() + ": "
                            + output.path("evalue").asText() + "\n" + String.join("\n", tb));
                }
            }
        }
        return errors;
    }

    private static void checkOutputs(String name, JsonNode notebook) {
        Set<String> all = new TreeSet<>();
        for (JsonNode cell : notebook.path("cells")) {
            if (!"code".equals(cell.path("cell_type").asText())) {
                continue;
            }
            Set<String> mimes = mimeTypes(cell);
            all.addAll(mimes);
            for (JsonNode tag : cell.path("metadata").path("tags")) {
                String expected = switch (tag.asText()) {
                    case "expect-png" -> "image/png";
                    case "expect-html" -> "text/html";
                    default -> null;
                };
                if (expected != null && !mimes.contains(expected)) {
                    fail(name + ": the cell tagged " + tag.asText() + " showed " + mimes + ", not " + expected
                            + ":\n" + source(cell));
                }
            }
        }
        assertTrue(all.contains("image/png"), name + " showed no picture (image/png); outputs: " + all);
        assertTrue(all.contains("text/html"), name + " showed no table (text/html); outputs: " + all);
    }

    private static Set<String> mimeTypes(JsonNode cell) {
        Set<String> mimes = new TreeSet<>();
        for (JsonNode output : cell.path("outputs")) {
            output.path("data").fieldNames().forEachRemaining(mimes::add);
        }
        return mimes;
    }

    private static String source(JsonNode cell) {
        JsonNode src = cell.path("source");
        if (src.isArray()) {
            StringBuilder sb = new StringBuilder();
            src.forEach(l -> sb.append(l.asText()));
            return sb.toString();
        }
        return src.asText();
    }
}
