package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AblateVerbTest {

    @TempDir
    Path dir;

    static final String SPEC = """
            name: toy-width
            question: Does a wider toy score higher?
            kind: toy
            grid:
              - {path: model.width, values: [4, 8]}
            seeds: 3
            metrics:
              - {name: score, better: higher}
            quick:
              seeds: 1
              set: {train.steps: 1}
            """;

    String run(String... argv) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = new AblateVerb().run(new Args(argv), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(0, code, bytes.toString(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsAStudyAndPrintsTheTableAndTheAnswer() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        String out = run(spec.toString(), "--out", dir.resolve("study").toString(), "--parallel", "1");
        assertTrue(out.contains("| variant"), out);
        assertTrue(out.contains("width=8 beats width=4 on score by 4 ± 0.8165 over 3 seeds."), out);
        assertTrue(Files.isRegularFile(dir.resolve("study/report.md")));
        assertTrue(run(spec.toString(), "--out", dir.resolve("study").toString()).contains("0 to do"));
    }

    @Test
    void quickUsesTheQuickSectionAndPlanRunsNothing() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        String plan = run(spec.toString(), "--quick", "--plan", "--out", dir.resolve("q").toString());
        assertTrue(plan.contains("width-4"), plan);
        assertTrue(plan.contains("2 runs under"), plan);
        assertFalse(Files.exists(dir.resolve("q")));
        String out = run(spec.toString(), "--quick", "--out", dir.resolve("q").toString());
        assertTrue(out.contains("with 1 seed the seed spread is unknown"), out);
        assertTrue(Files.readString(dir.resolve("q/report.md")).contains("Quick run"));
    }

    @Test
    void reportOnlyRebuildsTheReportWithoutRunning() throws Exception {
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        Path study = dir.resolve("study");
        assertEquals(1, Main.run(new String[] {"ablate", spec.toString(), "--report-only", "--out", study.toString()}),
                "nothing to report yet");
        run(spec.toString(), "--out", study.toString(), "--parallel", "1");
        Files.delete(study.resolve("report.md"));
        String out = run(spec.toString(), "--report-only", "--out", study.toString());
        assertTrue(out.contains("report only, 6 of 6 runs finished"), out);
        assertTrue(out.contains("width=8 beats width=4 on score"), out);
        assertTrue(Files.isRegularFile(study.resolve("report.md")));
    }

    @Test
    void isRegisteredAndRejectsMisspeltOptionsAndBadSpecs() throws Exception {
        assertTrue(Main.verbNames().contains("ablate"));
        Path spec = Files.writeString(dir.resolve("toy.yaml"), SPEC);
        assertEquals(2, Main.run(new String[] {"ablate", spec.toString(), "--quik"}));
        Path bad = Files.writeString(dir.resolve("bad.yaml"), SPEC.replace("model.width", "model.wdth"));
        assertEquals(1, Main.run(new String[] {"ablate", bad.toString(), "--plan"}));
    }
}
