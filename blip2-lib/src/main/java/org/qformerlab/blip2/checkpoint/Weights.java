package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
 * it changes anything: every parameter the model needs is present with its shape and a type it can
 * take, and every tensor in the file is used (or a tied copy, or explicitly ignored); otherwise one
 * error lists each problem by name (shape mismatches with both shapes, refused types with both
 * types), and the model is left as it was.
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

    /** What a checkpoint holds under one name: its shape and dtype, from a file header or an array. */
    public record Stored(Shape shape, DataType dataType) {}

    /**
     * What a load did: the internal names loaded, the ones left as they were because the file
     * lacks them on purpose (by reason), the ones the policy merely allowed to be missing, and the
     * tensors converted to their weight's floating-point type on the way in (name, from -> to).
     */
    public record Report(List<String> loaded, Map<String, List<String>> absentOnPurpose, List<String> allowedMissing,
            List<String> converted) {

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("loaded " + loaded.size() + " tensors");
            absentOnPurpose.forEach((why, names) ->
                    sb.append("; absent on purpose (").append(why).append("): ").append(names.size())
                            .append(' ').append(names));
            if (!allowedMissing.isEmpty()) {
                sb.append("; allowed missing: ").append(allowedMissing);
            }
            if (!converted.isEmpty()) {
                sb.append("; converted to the model's dtype (").append(converted.size()).append("): ").append(converted);
            }
            return sb.toString();
        }
    }

    /** Reads {@code file} and loads it into {@code model}; returns the internal names loaded. */
    public static List<String> load(Module model, Path file, NameMap names, Policy policy) {
        return loadReporting(model, file, names, policy).loaded();
    }

    /**
     * Reads {@code file} and loads it into {@code model}; says what was loaded and what was not.
     * The header is checked against the model first, then the tensors are read one at a time, so
     * loading needs memory for the model plus its largest tensor.
     */
    public static Report loadReporting(Module model, Path file, NameMap names, Policy policy) {
        SafetensorsFile f = SafetensorsFile.open(file);
        Map<String, SafetensorsFile> where = new LinkedHashMap<>();
        f.entries().keySet().forEach(n -> where.put(n, f));
        return load(model, where, file.toString(), names, policy);
    }

    /**
     * Loads tensors that lie in safetensors files (file name -> the file holding it) into the model:
     * everything is checked from the headers before the first parameter changes, then each tensor is
     * read and copied on its own.
     *
     * @param what names the checkpoint in error messages
     */
    static Report load(Module model, Map<String, SafetensorsFile> where, String what, NameMap names, Policy policy) {
        Map<String, Stored> stored = new LinkedHashMap<>();
        where.forEach((n, f) -> {
            SafetensorsFile.Entry e = f.entries().get(n);
            stored.put(n, new Stored(e.shape(), e.dataType()));
        });
        Report report = checkNamed(model, stored, what, names, policy);
        Map<String, Parameter> params = model.namedParameters();
        int done = 0;
        for (String internal : report.loaded()) {
            String external = names.external(internal);
            NDArray target = params.get(internal).getArray();
            try (NDManager scratch = target.getManager().newSubManager()) {
                Overwrite.copy(target, where.get(external).read(scratch, external));
            } catch (RuntimeException e) {
                throw new CheckpointException(what + ": reading tensor '" + external + "' failed after " + done + " of "
                        + report.loaded().size() + " tensors were loaded (" + e.getMessage()
                        + "); the model is partly loaded: load the checkpoint again", e);
            }
            done++;
        }
        return report;
    }

    /** Loads named tensors (file names) into the model's parameters. */
    public static List<String> load(
            Module model, Map<String, NDArray> tensors, NameMap names, Policy policy) {
        return loadReporting(model, tensors, names, policy).loaded();
    }

    /** Loads named tensors (file names) into the model's parameters and reports what happened. */
    public static Report loadReporting(
            Module model, Map<String, NDArray> tensors, NameMap names, Policy policy) {
        Map<String, Stored> stored = new LinkedHashMap<>();
        tensors.forEach((n, t) -> stored.put(n, new Stored(t.getShape(), t.getDataType())));
        Report report = check(model, stored, names, policy);
        Map<String, Parameter> params = model.namedParameters();
        try (GradMode ignored = GradMode.off()) {
            for (String internal : report.loaded()) {
                copyInto(params.get(internal).getArray(), tensors.get(names.external(internal)));
            }
        }
        return report;
    }

    /** {@link #check}, its error prefixed with the checkpoint's name. */
    static Report checkNamed(Module model, Map<String, Stored> tensors, String what, NameMap names, Policy policy) {
        try {
            return check(model, tensors, names, policy);
        } catch (CheckpointException e) {
            String message = e.getMessage();
            throw new CheckpointException(message.contains("\n")
                    ? what + " (" + names + " names) does not fit the model:\n" + message
                    : what + ": " + message, e);
        }
    }

    /**
     * Checks a checkpoint's tensors (file names, with shape and dtype) against the model without
     * loading anything: the report of what a load would do, or an error. A tensor of an integer or
     * boolean type for a floating-point weight (or the other way round) is refused in one line that
     * names the tensor and both types; a floating-point tensor of another width (float16, bfloat16,
     * float64 into float32) is converted and listed in {@link Report#converted}. Otherwise one error
     * lists every missing, misshapen and unexpected tensor. Lets a loader check a checkpoint from
     * its headers before reading its data.
     */
    public static Report check(Module model, Map<String, Stored> tensors, NameMap names, Policy policy) {
        Map<String, Parameter> params = model.namedParameters();
        Map<String, List<String>> onPurpose = new LinkedHashMap<>();
        List<String> allowedMissing = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> converted = new ArrayList<>();
        Set<String> used = new HashSet<>();
        List<String> loaded = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            String external = names.external(e.getKey());
            Stored t = tensors.get(external);
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
            if (!t.shape().equals(p.getShape())) {
                mismatched.add(external + ": file " + t.shape() + " vs model " + p.getShape());
                continue;
            }
            DataType want = p.getArray().getDataType();
            if (t.dataType() != want) {
                if (isFloat(t.dataType()) && isFloat(want)) {
                    converted.add(external + " (" + t.dataType() + " -> " + want + ")");
                } else {
                    refused.add("tensor '" + external + "' is " + t.dataType() + " but the model's weight is " + want);
                    continue;
                }
            }
            loaded.add(e.getKey());
        }
        if (!refused.isEmpty()) {
            throw new CheckpointException(refused.get(0)
                    + (refused.size() > 1 ? " (and " + (refused.size() - 1) + " more of another type)" : "")
                    + ": integer and boolean tensors are not converted to float weights (nor the other way round);"
                    + " re-export the checkpoint with the model's dtype");
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
        return new Report(loaded, onPurpose, allowedMissing, converted);
    }

    private static boolean isFloat(DataType t) {
        return t == DataType.FLOAT16 || t == DataType.BFLOAT16 || t == DataType.FLOAT32 || t == DataType.FLOAT64;
    }

    private static void copyInto(NDArray target, NDArray source) {
        Overwrite.copy(target, source);
    }

    /** The model's parameters under the format's names (tied aliases included). */
    public static Map<String, NDArray> tensors(Module model, NameMap names) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        Map<String, Parameter> params = model.namedParameters();
        params.forEach((n, p) -> out.put(names.external(n), p.getArray()));
        // the aliases in name order: Map.of's order changes from JVM to JVM, and with it the layout of
        // the file, so a resumed run's checkpoint would differ from an uninterrupted run's byte for byte
        new java.util.TreeMap<>(names.aliases()).forEach((alias, internal) -> {
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
