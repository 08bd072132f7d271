package org.qformerlab.ablations;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The batch script of a study's job array, written into the study folder as
 * {@code slurm/study.sbatch}: plain bash with {@code #SBATCH} lines, readable, and complete, so that
 * {@code sbatch slurm/study.sbatch} runs the same array by hand. Task {@code i} runs the {@code i}-th
 * run folder of the list it holds through {@link SlurmTask}.
 *
 * @param study the study's name
 * @param studyDir the study folder (absolute)
 * @param runs the run folder names, in array order
 * @param resources what each task asks for
 * @param java the {@code java} executable (the script lets {@code $QFORMERLAB_JAVA} replace it)
 * @param classPath the class path of the task and run JVMs (absolute entries)
 * @param runJvm the run JVM's options (heap, PyTorch threads)
 * @param attempts attempts per run
 * @param workDir the tasks' working folder
 * @param written when it was written (a comment)
 */
record SlurmScript(String study, Path studyDir, List<String> runs, SlurmResources resources, String java,
        String classPath, List<String> runJvm, int attempts, Path workDir, String written) {

    /** The task JVM's own options: it only starts the run's JVM and records the result. */
    static final String TASK_JVM = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dai.djl.offline=true"
            + " -Djava.awt.headless=true";

    /** The {@code --array} value: one index per run, {@code %N} with an array limit. */
    String array() {
        String range = runs.size() == 1 ? "0" : "0-" + (runs.size() - 1);
        return resources.arrayLimit() == null ? range : range + "%" + resources.arrayLimit();
    }

    String text() {
        StringBuilder s = new StringBuilder();
        Path script = studyDir.resolve("slurm").resolve("study.sbatch");
        s.append("#!/bin/bash\n");
        s.append("# Study '").append(study).append("' as a SLURM job array: one task per run, ").append(runs.size())
                .append(runs.size() == 1 ? " run.\n" : " runs.\n");
        s.append("# Written by qformerlab ablate --executor slurm at ").append(written).append(".\n");
        s.append("# Task i runs the run folder RUNS[i] below: org.qformerlab.ablations.SlurmTask makes up to ")
                .append(attempts).append(attempts == 1 ? " attempt" : " attempts").append(",\n");
        s.append("# each in a child JVM (org.qformerlab.ablations.RunMain, as ablate --parallel does locally),\n");
        s.append("# and writes the run's result.json. Task output: slurm/logs/<job>_<task>.out; the run's own\n");
        s.append("# log: runs/<run>/log.txt.\n");
        s.append("# Submitted through `qformerlab ablate SPEC --executor slurm`, the job id is recorded and\n");
        s.append("# `--status` tells pending, running, done and failed runs apart. By hand:\n");
        s.append("#   sbatch ").append(script).append('\n');
        s.append("#SBATCH --job-name=").append(jobName(study)).append('\n');
        s.append("#SBATCH --array=").append(array()).append('\n');
        s.append("#SBATCH --cpus-per-task=").append(resources.cpus()).append('\n');
        option(s, "mem", resources.mem());
        option(s, "time", resources.time());
        option(s, "partition", resources.partition());
        option(s, "account", resources.account());
        option(s, "gres", resources.gres());
        s.append("#SBATCH --output=").append(studyDir.resolve("slurm").resolve("logs")).append("/%A_%a.out\n");
        s.append("#SBATCH --chdir=").append(workDir).append('\n');
        for (String line : resources.sbatch()) {
            s.append("#SBATCH ").append(SlurmResources.option(line)).append('\n');
        }
        s.append("set -euo pipefail\n\n");
        if (!resources.setup().isEmpty()) {
            s.append("# setup\n");
            resources.setup().forEach(line -> s.append(line).append('\n'));
            s.append('\n');
        }
        s.append("STUDY=").append(quote(studyDir.toString())).append('\n');
        s.append("RUNS=(\n");
        runs.forEach(r -> s.append("  ").append(quote(r)).append('\n'));
        s.append(")\n");
        s.append("JAVA=${QFORMERLAB_JAVA:-").append(quote(java)).append("}\n");
        s.append("CLASSPATH=").append(quote(classPath)).append('\n');
        s.append("# the run's JVM: its heap, and one PyTorch thread per CPU of the task\n");
        s.append("RUN_JVM=(").append(String.join(" ", runJvm.stream().map(SlurmScript::quote).toList())).append(")\n\n");
        s.append("run=${RUNS[$SLURM_ARRAY_TASK_ID]}\n");
        s.append("exec \"$JAVA\" ").append(TASK_JVM).append(" -cp \"$CLASSPATH\" \\\n");
        s.append("    org.qformerlab.ablations.SlurmTask \"$STUDY/runs/$run\" ").append(attempts)
                .append(" \"${RUN_JVM[@]}\"\n");
        return s.toString();
    }

    /** The array's job name: {@code qfl-<study>}. */
    static String jobName(String study) {
        return "qfl-" + study.toLowerCase(Locale.ROOT);
    }

    private static void option(StringBuilder s, String name, String value) {
        if (value != null) {
            s.append("#SBATCH --").append(name).append('=').append(value).append('\n');
        }
    }

    /** A word for bash: as it is when it holds nothing bash reads specially, else in single quotes. */
    static String quote(String word) {
        if (word.matches("[A-Za-z0-9_./:=+,@%-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
