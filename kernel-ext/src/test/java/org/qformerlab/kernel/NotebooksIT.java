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
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
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

    /**
     * A notebook of a user's own, in a folder outside the repository: study names resolve from the
     * installed project (the kernel jar's), and the frozen models come from the user cache, not from
     * a {@code .cache} folder beside the notebook.
     */
    @Test
    void aNotebookOutsideTheRepositoryUsesStudyNamesAndTheSharedCache() throws Exception {
        JupyterEnvironment.requireJupyter();
        Path jupyter = JupyterEnvironment.writeKernelSpec(work.resolve("jupyter"));
        Path mine = work.resolve("my-notebooks");
        Files.createDirectories(mine);
        ObjectNode nb = JSON.createObjectNode();
        ArrayNode cells = nb.putArray("cells");
        String[][] sources = {
            {"%ablate itc-mask --quick", "expect-html"},
            {"%%config experiment --preset tiny\n", null},
            {"%train stage1 --steps 2", "expect-png"},
            {"Path.of(\".cache\").toFile().exists() ? \"a .cache folder beside the notebook\" : \"no .cache here\"", null}};
        int id = 0;
        for (String[] cell : sources) {
            ObjectNode c = cells.addObject();
            c.put("cell_type", "code").put("id", "c" + id++).putNull("execution_count");
            ObjectNode meta = c.putObject("metadata");
            if (cell[1] != null) {
                meta.putArray("tags").add(cell[1]);
            }
            c.putArray("outputs");
            c.put("source", cell[0]);
        }
        ObjectNode kernelspec = nb.putObject("metadata").putObject("kernelspec");
        kernelspec.put("name", JupyterEnvironment.KERNEL_NAME).put("language", "java").put("display_name", "Java");
        nb.put("nbformat", 4).put("nbformat_minor", 5);
        Path notebook = mine.resolve("my-study.ipynb");
        JSON.writeValue(notebook.toFile(), nb);

        String executed = execute(notebook, jupyter);
        com.fasterxml.jackson.databind.JsonNode plain =
                JSON.readTree(executed).get("cells").get(3).get("outputs").get(0).get("data").get("text/plain");
        StringBuilder answer = new StringBuilder(plain.isArray() ? "" : plain.asText());
        plain.forEach(line -> answer.append(line.asText())); // nbformat may split text into lines
        assertEquals("no .cache here", answer.toString().replace("\"", ""));
        assertFalse(Files.exists(mine.resolve(".cache")), "no .cache folder beside the notebook");
    }

    private String execute(Path notebook, Path jupyter) throws Exception {
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
        return Files.readString(executed);
    }

}
