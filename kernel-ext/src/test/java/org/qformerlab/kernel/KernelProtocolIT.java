package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel through Jupyter's own client ({@code jupyter_client}): started from a kernel spec like
 * any Jupyter kernel, it executes, reports compile errors and exceptions readably and survives them,
 * completes a project class name, stops a long cell on interrupt, and shows rich output. The checks
 * live in {@code src/test/python/kernel_protocol_check.py}; each becomes one test here. With
 * {@code -Dprotocol.checks=WORD,...} only the checks whose names contain one of the words run.
 */
class KernelProtocolIT {

    @TempDir
    Path jupyterDir;

    @TestFactory
    Stream<DynamicTest> kernelSpeaksJupyter() throws Exception {
        JupyterEnvironment.requireJupyter();
        JupyterEnvironment.writeKernelSpec(jupyterDir);
        Path script = Path.of("src/test/python/kernel_protocol_check.py").toAbsolutePath();
        Map<String, String> env = new LinkedHashMap<>(JupyterEnvironment.jupyterEnv(jupyterDir));
        String only = System.getProperty("protocol.checks", "");
        if (!only.isBlank()) {
            env.put("QFL_CHECKS", only); // a developer's run of the checks at hand, e.g. -Dprotocol.checks=%ablate
        }
        JupyterEnvironment.Result result = JupyterEnvironment.run(
                List.of(JupyterEnvironment.PYTHON, script.toString(), JupyterEnvironment.KERNEL_NAME),
                env, jupyterDir, 600);

        List<DynamicTest> tests = new ArrayList<>();
        String[] lines = result.output().split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith("PASS ")) {
                tests.add(DynamicTest.dynamicTest(line.substring(5), () -> { }));
            } else if (line.startsWith("FAIL ")) {
                StringBuilder why = new StringBuilder(line.substring(5));
                while (i + 1 < lines.length && lines[i + 1].startsWith("    ")) {
                    why.append('\n').append(lines[++i]);
                }
                String name = line.substring(5, line.indexOf(':') > 5 ? line.indexOf(':') : line.length());
                tests.add(DynamicTest.dynamicTest(name, () -> fail(why.toString())));
            }
        }
        int exit = result.exitCode();
        String output = result.output();
        tests.add(DynamicTest.dynamicTest("the protocol check ran to the end", () -> {
            assertTrue(output.contains(" passed, "), "the check script did not finish:\n" + output);
            assertEquals(0, exit, output);
        }));
        return tests.stream();
    }
}
