package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
                        "--ExecutePreprocessor.allow_errors=True", // write it all; NotebookOutputs finds the errors
                        "--ExecutePreprocessor.startup_timeout=120",
                        notebook.toString()),
                JupyterEnvironment.jupyterEnv(jupyter), notebook.getParent(), 900);
        Path executed = out.resolve(name);
        List<String> problems = Files.isRegularFile(executed)
                ? NotebookOutputs.problems(name, JSON.readTree(executed.toFile()))
                : List.of(name + ": nbconvert wrote no executed notebook");
        assertTrue(problems.isEmpty(), String.join("\n\n", problems) + "\n\nnbconvert said:\n" + run.output());
        assertEquals(0, run.exitCode(), "nbconvert failed on " + name + ":\n" + run.output());
    }

}
