package org.qformerlab.ablations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.ConfigException;

/** The batch script, the resources it asks for, and the reasons read from SLURM's verdicts. */
class SlurmScriptTest {

    @TempDir
    Path dir;

    static final SlurmResources GPU = SlurmResources.defaults().withCpusPerTask(4).withMem("16G").withTime("2:00:00")
            .withPartition("gpu").withAccount("lab-42").withGres("gpu:a100:1").withArrayLimit(8)
            .withSbatch(List.of("qos=short", "#SBATCH --constraint=a100")).withSetup(List.of("module load java/17"));

    static SlurmScript script(List<String> runs, SlurmResources r) {
        return new SlurmScript("query-count", Path.of("/shared/study"), runs, r, "/opt/jdk 17/bin/java",
                "/shared/qformerlab.jar", List.of("-Xmx8192m", "-Dai.djl.pytorch.num_threads=4"), 2,
                Path.of("/shared"), "2026-01-02T03:04:05Z");
    }

    @Test
    void theScriptAsksForTheResourcesAndRunsTheTaskOfItsIndex() {
        String text = script(List.of("q-4-seed1", "q-32-seed1", "q-8-seed1"), GPU).text();
        String expected = """
                #SBATCH --job-name=qfl-query-count
                #SBATCH --array=0-2%8
                #SBATCH --cpus-per-task=4
                #SBATCH --mem=16G
                #SBATCH --time=2:00:00
                #SBATCH --partition=gpu
                #SBATCH --account=lab-42
                #SBATCH --gres=gpu:a100:1
                #SBATCH --output=/shared/study/slurm/logs/%A_%a.out
                #SBATCH --chdir=/shared
                #SBATCH --qos=short
                #SBATCH --constraint=a100
                set -euo pipefail

                # setup
                module load java/17

                STUDY=/shared/study
                RUNS=(
                  q-4-seed1
                  q-32-seed1
                  q-8-seed1
                )
                JAVA=${QFORMERLAB_JAVA:-'/opt/jdk 17/bin/java'}
                CLASSPATH=/shared/qformerlab.jar
                # the run's JVM: its heap, and one PyTorch thread per CPU of the task
                RUN_JVM=(-Xmx8192m -Dai.djl.pytorch.num_threads=4)

                run=${RUNS[$SLURM_ARRAY_TASK_ID]}
                exec "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dai.djl.offline=true \
                -Djava.awt.headless=true -cp "$CLASSPATH" \\
                    org.qformerlab.ablations.SlurmTask "$STUDY/runs/$run" 2 "${RUN_JVM[@]}"
                """;
        assertTrue(text.startsWith("#!/bin/bash\n# Study 'query-count' as a SLURM job array: one task per run, 3 runs.\n"),
                text);
        assertTrue(text.contains("#   sbatch /shared/study/slurm/study.sbatch\n"), text);
        assertEquals(expected, text.substring(text.indexOf("#SBATCH")));
    }

    @Test
    void theScriptRunsInBash() throws IOException, InterruptedException {
        // bash reads it: the task index picks the run, the quoted words survive
        String text = script(List.of("a-seed1", "b-seed1"), SlurmResources.defaults()).text();
        text = text.substring(0, text.indexOf("exec \"$JAVA\"")) + "echo \"$JAVA\" \"$run\" \"${RUN_JVM[1]}\"\n";
        Path file = Files.writeString(dir.resolve("study.sbatch"), text);
        Process p = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        p.waitFor();
        // set -u: without SLURM_ARRAY_TASK_ID the script stops instead of running run 0
        assertTrue(p.exitValue() != 0);
        ProcessBuilder b = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
        b.environment().put("SLURM_ARRAY_TASK_ID", "1");
        Process q = b.start();
        q.getOutputStream().close();
        String out = new String(q.getInputStream().readAllBytes()).strip();
        assertEquals(0, q.waitFor(), out);
        assertEquals("/opt/jdk 17/bin/java b-seed1 -Dai.djl.pytorch.num_threads=4", out);
    }

    @Test
    void oneRunIsAnArrayOfOneAndNoLimitMeansNoPercent() {
        assertEquals("0", script(List.of("a"), SlurmResources.defaults()).array());
        assertEquals("0-4", script(List.of("a", "b", "c", "d", "e"), SlurmResources.defaults()).array());
        assertEquals("0-1%1", script(List.of("a", "b"), SlurmResources.defaults().withArrayLimit(1)).array());
        String text = script(List.of("a"), SlurmResources.defaults()).text();
        assertTrue(text.contains("#SBATCH --cpus-per-task=1\n#SBATCH --output="), "nothing else asked: " + text);
    }

    @Test
    void theCommandLineWinsOverTheSpecAndAddsItsLines() {
        SlurmResources spec = SlurmResources.defaults().withMem("4G").withPartition("cpu").withSbatch(List.of("qos=long"));
        SlurmResources line = SlurmResources.defaults().withMem("8G").withSbatch(List.of("nice=10"));
        SlurmResources r = spec.over(line);
        assertEquals("8G", r.mem());
        assertEquals("cpu", r.partition());
        assertEquals(List.of("qos=long", "nice=10"), r.sbatch());
        assertEquals(1, r.cpus());
        assertEquals(spec, spec.over(null));
    }

    @Test
    void badResourcesAreNamedWithTheFormTheyNeed() {
        assertEquals("--mem='8 GB' is not a SLURM memory size: give a whole number with an optional unit K, M, G or T,"
                + " e.g. 8G or 500M", assertThrows(IllegalArgumentException.class,
                        () -> SlurmResources.defaults().withMem("8 GB").check("--")).getMessage());
        assertEquals("--cpus-per-task=0 must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> SlurmResources.defaults().withCpusPerTask(0).check("--")).getMessage());
        String time = assertThrows(IllegalArgumentException.class,
                () -> SlurmResources.defaults().withTime("2h").check("--")).getMessage();
        assertTrue(time.startsWith("--time='2h' is not a SLURM time limit"), time);
        String array = assertThrows(IllegalArgumentException.class,
                () -> SlurmResources.defaults().withSbatch(List.of("--array=0-9")).check("--")).getMessage();
        assertTrue(array.contains("the study sets --array and --output itself"), array);
        for (String ok : new String[] {"90", "1:30:00", "2-00:00:00", "30:00"}) {
            SlurmResources.defaults().withTime(ok).check("--");
        }
        assertEquals(16 * 1024, SlurmExecutor.megabytes("16G"));
        assertEquals(500, SlurmExecutor.megabytes("500"));
        assertEquals(500, SlurmExecutor.megabytes("500m"));
    }

    @Test
    void theSpecsSlurmSectionIsReadAndChecked() {
        Study s = StudySpecTest.study("seeds: 1\nslurm: {cpusPerTask: 2, mem: 6G, arrayLimit: 3, sbatch: [qos=short]}\n");
        assertEquals(SlurmResources.defaults().withCpusPerTask(2).withMem("6G").withArrayLimit(3)
                .withSbatch(List.of("qos=short")), s.spec().slurm());
        String m = assertThrows(ConfigException.class, () -> StudySpecTest.study("slurm: {arrayLimit: 0}\n")).getMessage();
        assertEquals("spec.yaml: slurm.arrayLimit=0 must be at least 1 (it is how many runs may go at once)", m);
        m = assertThrows(ConfigException.class, () -> StudySpecTest.study("slurm: {memory: 8G}\n")).getMessage();
        assertTrue(m.contains("unknown field 'memory' in slurm"), m);
    }

    /** The lines slurmstepd wrote on this machine's SLURM 22.05 when it killed a task (environment/slurm-local.sh). */
    @Test
    void slurmsVerdictInTheTaskOutputIsTheReason() {
        SlurmResources asked = SlurmResources.defaults().withMem("400M").withTime("1");
        assertEquals("killed by SLURM: time limit (--time 1) reached; ask for more with --time", SlurmEnding.reason("""
                SLURM task 3_1 on vm: run sleeper-seed1 (sleeper, seed 1), up to 2 attempts
                slurmstepd-localhost: error: *** JOB 3 ON localhost CANCELLED AT 2026-12-07T11:44:27 DUE TO TIME LIMIT ***
                """, asked));
        assertEquals("killed by SLURM: out of memory (--mem 400M); ask for more with --mem", SlurmEnding.reason("""
                slurmstepd-localhost: error: StepId=2.batch exceeded memory limit (174137344 > 104857600), being killed
                slurmstepd-localhost: error: *** JOB 2 ON localhost CANCELLED AT 2026-12-07T11:42:59 ***
                slurmstepd-localhost: error: Exceeded job memory limit
                """, asked));
        // a cluster with cgroups reports the kernel's OOM killer instead
        assertEquals("killed by SLURM: out of memory (--mem the partition's default); ask for more with --mem",
                SlurmEnding.reason("slurmstepd: error: Detected 1 oom_kill event in StepId=7.batch. Some of the step"
                        + " tasks have been OOM Killed.\n", SlurmResources.defaults()));
        assertEquals("cancelled (scancel) while running; submit again to run it", SlurmEnding.reason(
                "slurmstepd-localhost: error: *** JOB 9 ON localhost CANCELLED AT 2026-12-07T12:00:00 ***\n", asked));
        assertEquals("lost to a node failure; submit again to run it", SlurmEnding.reason(
                "slurmstepd: error: *** JOB 9 ON n1 CANCELLED AT 2026-12-07T12:00:00 DUE TO NODE FAILURE ***\n", asked));
        assertTrue(SlurmEnding.reason(null, asked).startsWith("left SLURM's queue without starting"));
        assertEquals("its SLURM task ended without writing result.json; its last output: java: not found",
                SlurmEnding.reason("SLURM task 4_0 ...\njava: not found\n\n", asked));
    }
}
