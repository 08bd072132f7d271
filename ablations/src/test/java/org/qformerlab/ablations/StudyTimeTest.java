package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The time a study took, from its runs' result.json: their wall seconds and the files' times. */
class StudyTimeTest {

    @TempDir
    Path dir;

    RunRecord run(String id, double wallSeconds, long endSecond) throws Exception {
        Study s = StudySpecTest.study("seeds: 1\n");
        RunPlan plan = s.plans(false, dir).get(0);
        plan = new RunPlan(plan.variant(), plan.seed(), plan.config(), dir.resolve(id));
        RunResult result = new RunResult("base", 1, RunResult.OK, null, wallSeconds, null, 1);
        if (endSecond >= 0) {
            Files.createDirectories(plan.dir());
            RunFiles.writeJson(plan.resultFile(), result);
            Files.setLastModifiedTime(plan.resultFile(), FileTime.fromMillis(endSecond * 1000));
        }
        return new RunRecord(plan, result);
    }

    @Test
    void runTimeAddsUpAndElapsedRunsFromTheFirstStartToTheLastEnd() throws Exception {
        // two runs side by side: 0-600 s and 100-700 s, then one 700-1900 s; the third never wrote a result
        List<RunRecord> records = List.of(run("a", 600, 1_000_600), run("b", 600, 1_000_700),
                run("c", 1200, 1_001_900), run("d", 50, -1));
        StudyTime t = StudyTime.of(records);
        assertEquals(3, t.runs());
        assertEquals(2400, t.runSeconds(), 1e-9);
        assertEquals(1900, t.elapsedSeconds(), 1e-9);
        assertEquals("3 runs took 40 min 00 s in all (their wall time added up, from result.json); 31 min 40 s"
                + " from the first run's start to the last run's end (result.json file times).", t.sentence());
        assertEquals("no run has recorded a result yet.", StudyTime.of(List.of(run("e", 5, -1))).sentence());
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("45 s", StudyTime.duration(44.6));
        assertEquals("12 min 03 s", StudyTime.duration(723));
        assertEquals("5 h 06 min", StudyTime.duration(5 * 3600 + 6 * 60 + 10));
    }
}
