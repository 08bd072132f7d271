package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Study names resolve from the installed project wherever the notebook's working folder is. */
class InstalledProjectTest {

    @Test
    void theStudiesAreFoundAboveTheKernelJarFromAnyWorkingFolder(@TempDir Path dir) throws Exception {
        Path project = dir.resolve("qformer-lab");
        Path studies = Files.createDirectories(project.resolve("ablations/studies"));
        Path jar = Files.createDirectories(project.resolve("kernel-ext/target")).resolve("qformerlab-kernel.jar");
        Path notebooks = Files.createDirectories(dir.resolve("home/me/notebooks"));
        assertEquals(studies, InstalledProject.studies(null, Map.of(), notebooks, jar));
        assertNull(InstalledProject.studies(null, Map.of(), notebooks, null), "neither folder leads to a project");
    }

    @Test
    void thePropertyThenTheEnvironmentThenTheWorkingFolderWin(@TempDir Path dir) throws Exception {
        Path here = Files.createDirectories(dir.resolve("work/ablations/studies"));
        Path jar = dir.resolve("elsewhere/kernel.jar");
        assertEquals(Path.of("/p"), InstalledProject.studies("/p", Map.of("QFORMERLAB_STUDIES", "/e"), dir.resolve("work"), jar));
        assertEquals(Path.of("/e"), InstalledProject.studies(null, Map.of("QFORMERLAB_STUDIES", "/e"), dir.resolve("work"), jar));
        assertEquals(here, InstalledProject.studies(null, Map.of(), dir.resolve("work"), jar));
    }
}
