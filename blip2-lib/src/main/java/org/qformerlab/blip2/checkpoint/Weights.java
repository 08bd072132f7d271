package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.qformerlab.blip2.nn.GradMode;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Overwrite;

/**
 * Copies checkpoint tensors into a model's parameters and back. Loading checks everything before
 * it changes anything: every parameter the model needs is present with its shape, and every tensor
 * in the file is used (or a tied copy, or explicitly ignored); otherwise one error lists each
 * problem by name (shape mismatches with both shapes).
 */
public final class Weights {

    private Weights() {}

    /**
     * Which differences between model and file are acceptable.
     *
     * @param mayBeMissing internal names the file may lack (they keep their current values)
     * @param mayBeUnused file names the model may leave unused
     * @param absences parts of the model that a kind of checkpoint lacks on purpose, each with the
     *     reason (stage 2 has no Q-Former text embeddings); they keep their current values and the
     *     {@link Report} lists them by name under their reason
     */
    public record Policy(Predicate<String> mayBeMissing, Predicate<String> mayBeUnused, List<Absence> absences) {

        public Policy {
            absences = List.copyOf(absences);
        }

        public Policy(Predicate<String> mayBeMissing, Predicate<String> mayBeUnused) {
            this(mayBeMissing, mayBeUnused, List.of());
        }

        /** Model and file must match exactly. */
        public static Policy strict() {
            return new Policy(n -> false, n -> false);
        }

        public Policy allowMissing(Predicate<String> internalNames) {
            return new Policy(mayBeMissing.or(internalNames), mayBeUnused, absences);
        }

        public Policy ignoreUnused(Predicate<String> fileNames) {
            return new Policy(mayBeMissing, mayBeUnused.or(fileNames), absences);
        }

        /**
         * Internal names that this kind of checkpoint does not have by design ({@code why} says
         * why); any other missing name is still an error.
         */
        public Policy absentOnPurpose(String why, Predicate<String> internalNames) {
            List<Absence> more = new ArrayList<>(absences);
            more.add(new Absence(why, internalNames));
            return new Policy(mayBeMissing, mayBeUnused, more);
        }
    }

    /** Model parts a checkpoint lacks by design, and why. */
    public record Absence(String why, Predicate<String> internalNames) {}

    /**
     * What a load did: the internal names loaded, the ones left as they were because the file
     * lacks them on purpose (by reason), and the ones the policy merely allowed to be missing.
     */
    public record Report(List<String> loaded, Map<String, List<String>> absentOnPurpose, List<String> allowedMissing) {

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("loaded " + loaded.size() + " tensors");
            absentOnPurpose.forEach((why, names) ->
                    sb.append("; absent on purpose (").append(why).append("): ").append(names.size())
                            .append(' ').append(names));
            if (!allowedMissing.isEmpty()) {
                sb.append("; allowed missing: ").append(allowedMissing);
            }
            return sb.toString();
        }
    }

    /** Reads {@code file} and loads it into {@code model}; returns the internal names loaded. */
    public static List<String> load(Module model, Path file, NameMap names, Policy policy) {
        return loadReporting(model, file, names, policy).loaded();
    }

    /** Reads {@code file} and loads it into {@code model}; says what was loaded and what was not. */
    public static Report loadReporting(Module model, Path file, NameMap names, Policy policy) {
        try (NDManager scratch = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = Safetensors.read(scratch, file);
            try {
                return loadReporting(model, tensors, names, policy);
            } catch (CheckpointException e) {
                throw new CheckpointException(file + " (" + names + " names) does not fit the model:\n" + e.getMessage(), e);
            }
        }
    }

    /** Loads named tensors (file names) into the model's parameters. */
    public static List<String> load(
            Module model, Map<String, NDArray> tensors, NameMap names, Policy policy) {
        return loadReporting(model, tensors, names, policy).loaded();
    }

    /** Loads named tensors (file names) into the model's parameters and reports what happened. */
    public static Report loadReporting(
            Module model, Map<String, NDArray> tensors, NameMap names, Policy policy) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        tensors.forEach((n, t) -> shapes.put(n, t.getShape()));
        Report report = check(model, shapes, names, policy);
        Map<String, Parameter> params = model.namedParameters();
        try (GradMode ignored = GradMode.off()) {
            for (String internal : report.loaded()) {
                copyInto(params.get(internal).getArray(), tensors.get(names.external(internal)));
            }
        }
        return report;
    }

    /**
     * Checks a checkpoint's tensor shapes (file names) against the model without loading anything:
     * the report of what a load would do, or one error listing every missing, misshapen and
     * unexpected tensor. Lets a loader check a checkpoint from its headers before reading its data.
     */
    public static Report check(Module model, Map<String, Shape> tensors, NameMap names, Policy policy) {
        Map<String, Parameter> params = model.namedParameters();
        Map<String, List<String>> onPurpose = new LinkedHashMap<>();
        List<String> allowedMissing = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Set<String> used = new HashSet<>();
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String external = names.external(e.getKey());
            Shape t = tensors.get(external);
            if (t == null) {
                Absence absence = policy.absences().stream()
                        .filter(a -> a.internalNames().test(e.getKey())).findFirst().orElse(null);
                if (absence != null) {
                    onPurpose.computeIfAbsent(absence.why(), k -> new ArrayList<>()).add(e.getKey());
                } else if (policy.mayBeMissing().test(e.getKey())) {
                    allowedMissing.add(e.getKey());
                } else {
                    missing.add(external);
                }
                continue;
            }
            used.add(external);
            Parameter p = e.getValue();
            if (!t.equals(p.getShape())) {
                mismatched.add(external + ": file " + t + " vs model " + p.getShape());
                continue;
            }
            loaded.add(e.getKey());
        }
        for (Map.Entry<String, String> alias : names.aliases().entrySet()) {
            if (tensors.containsKey(alias.getKey()) && params.containsKey(alias.getValue())) {
                used.add(alias.getKey());
            }
        }
        List<String> unused = new ArrayList<>();
        for (String n : tensors.keySet()) {
            if (!used.contains(n) && !policy.mayBeUnused().test(n)) {
                unused.add(n);
            }
        }
        if (!missing.isEmpty() || !mismatched.isEmpty() || !unused.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            if (!missing.isEmpty()) {
                sb.append("  missing tensors (").append(missing.size()).append("): ").append(missing).append('\n');
            }
            if (!mismatched.isEmpty()) {
                sb.append("  shape mismatches (").append(mismatched.size()).append("): ").append(mismatched).append('\n');
            }
            if (!unused.isEmpty()) {
                sb.append("  unexpected tensors (").append(unused.size()).append("): ").append(unused).append('\n');
            }
            sb.append("  fix: build the model from the checkpoint's own config, or pick the matching name map (LAVIS / Hugging Face)");
            throw new CheckpointException(sb.toString());
        }
        return new Report(loaded, onPurpose, allowedMissing);
    }

    private static void copyInto(NDArray target, NDArray source) {
        Overwrite.copy(target, source);
    }

    /** The model's parameters under the format's names (tied aliases included). */
    public static Map<String, NDArray> tensors(Module model, NameMap names) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        Map<String, Parameter> params = model.namedParameters();
        params.forEach((n, p) -> out.put(names.external(n), p.getArray()));
        names.aliases().forEach((alias, internal) -> {
            if (params.containsKey(internal)) {
                out.put(alias, params.get(internal).getArray());
            }
        });
        return out;
    }

    /** Saves the model's parameters as safetensors under the format's names, atomically. */
    public static void save(Module model, Path file, NameMap names) {
        Safetensors.write(file, tensors(model, names));
    }
}
