package org.qformerlab.ablations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The three SLURM commands a study needs, run as processes: {@code sbatch} to submit the job array,
 * {@code squeue} to see which tasks are pending or running, {@code scancel} to cancel. Accounting
 * ({@code sacct}) is not used: many clusters, and Debian's default setup, have it off.
 */
final class Slurm {

    /** One array task in the queue. {@code state} is SLURM's (PENDING, RUNNING, COMPLETING, ...). */
    record Queued(String task, String state, String reason, String node) {

        boolean pending() {
            return state.equals("PENDING") || state.equals("REQUEUED") || state.equals("REQUEUE_HOLD")
                    || state.equals("RESV_DEL_HOLD") || state.equals("SUSPENDED");
        }
    }

    private Slurm() {
    }

    /**
     * Submits a batch script and returns the job id {@code sbatch --parsable} printed.
     *
     * @throws IOException with sbatch's message when it refuses (unknown partition, bad option, ...)
     */
    static String submit(Path script) throws IOException, InterruptedException {
        String out = run(List.of("sbatch", "--parsable", script.toAbsolutePath().toString())).strip();
        // --parsable prints "jobid" or "jobid;cluster"
        String job = out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
        if (!job.matches("[0-9]+")) {
            throw new IOException("sbatch printed '" + out + "' instead of a job id");
        }
        return job;
    }

    /**
     * Every task of this user's jobs in the queue, one per array task ({@code 12_3}), by task id.
     * A finished task is not listed (it left the queue).
     */
    static Map<String, Queued> queue() throws IOException, InterruptedException {
        String user = System.getProperty("user.name");
        String out = run(List.of("squeue", "--noheader", "--array", "--user=" + user, "--format=%i|%T|%r|%N"));
        Map<String, Queued> tasks = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length == 4) {
                tasks.put(f[0], new Queued(f[0], f[1], f[2], f[3]));
            }
        }
        return tasks;
    }

    /** Cancels jobs or array tasks ({@code 12}, {@code 12_3}). */
    static void cancel(List<String> ids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("scancel"));
        command.addAll(ids);
        run(command);
    }

    /** Whether the SLURM commands are on this machine's path. */
    static boolean available() {
        try {
            run(List.of("squeue", "--version"));
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a SLURM command and returns its standard output; a failure carries its error output. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " not found: run this on a SLURM login node (where sbatch and squeue"
                    + " are on the PATH), or start a one-node cluster here with environment/slurm-local.sh start", e);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command.get(0) + " did not answer within 60 s");
        }
        if (p.exitValue() != 0) {
            String message = new String(err, StandardCharsets.UTF_8).strip().replaceAll("\\s*\n\\s*", "; ");
            throw new IOException(String.join(" ", command.subList(0, Math.min(2, command.size()))) + " failed (exit "
                    + p.exitValue() + "): " + (message.isEmpty() ? "no message" : message));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
