package org.qformerlab.blip2.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.config.LocalNames;
import org.qformerlab.blip2.nn.Module;

/**
 * The weights of a Hugging Face model folder: one {@code model.safetensors}, or the shards that
 * {@code model.safetensors.index.json} lists (its {@code weight_map}: tensor name -> shard file),
 * checked against the shards' headers (a missing shard, or a tensor the index promises and its shard
 * lacks, is named) and loaded into a model tensor by tensor ({@link #load}).
 */
public final class SafetensorsShards {

    /** The single-file weights of a Hugging Face folder. */
    public static final String SINGLE = "model.safetensors";
    /** The index of sharded weights. */
    public static final String INDEX = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsShards() {}

    /** The folder's weight files, their headers checked (and against the index, if sharded). */
    public static List<SafetensorsFile> open(Path dir) {
        Path single = dir.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            return List.of(SafetensorsFile.open(single));
        }
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new CheckpointException("no weights in " + dir + ": expected " + SINGLE + " or " + INDEX
                    + " (PyTorch .bin checkpoints are not read: convert them to safetensors first)");
        }
        Map<String, String> weightMap = weightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (String shard : new LinkedHashSet<>(weightMap.values())) {
            Path file = dir.resolve(shard);
            if (!Files.isRegularFile(file)) {
                throw new CheckpointException(index + " lists shard " + shard + " but " + file
                        + " does not exist: download every shard");
            }
            shards.put(shard, SafetensorsFile.open(file));
        }
        List<String> lacking = new ArrayList<>();
        weightMap.forEach((name, shard) -> {
            if (!shards.get(shard).entries().containsKey(name)) {
                lacking.add(name + " (" + shard + ")");
            }
        });
        if (!lacking.isEmpty()) {
            throw new CheckpointException(index + " promises tensors that their shards lack (" + lacking.size() + "): "
                    + lacking + "; re-download the shards");
        }
        return List.copyOf(shards.values());
    }

    /** Every tensor of the folder's weights, read into {@code manager} (small models, tests). */
    public static Map<String, NDArray> read(NDManager manager, Path dir) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (SafetensorsFile file : open(dir)) {
            out.putAll(file.readAll(manager));
        }
        return out;
    }

    /**
     * Loads the folder's weights into {@code model}: first every header is checked against the model
     * ({@link Weights#check}: one error names every missing, misshapen or unexpected tensor, and
     * nothing is changed), then the tensors are read and copied one at a time, so a checkpoint of any
     * size needs memory for the model plus its largest tensor.
     */
    public static Weights.Report load(Module model, Path dir, NameMap names, Weights.Policy policy) {
        Map<String, SafetensorsFile> where = new LinkedHashMap<>();
        for (SafetensorsFile file : open(dir)) {
            for (String name : file.entries().keySet()) {
                SafetensorsFile before = where.put(name, file);
                if (before != null) {
                    throw new CheckpointException("tensor '" + name + "' is in both " + before.file() + " and "
                            + file.file() + ": re-download the shards");
                }
            }
        }
        return Weights.load(model, where, dir.toString(), names, policy);
    }

    /** Writes tensors as {@code shards} files plus the index, each atomically (round trips, tests). */
    public static void write(Path dir, Map<String, NDArray> tensors, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards=" + shards + " must be at least 1");
        }
        List<String> names = new ArrayList<>(tensors.keySet());
        Map<String, String> weightMap = new LinkedHashMap<>();
        int per = (names.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            Map<String, NDArray> part = new LinkedHashMap<>();
            for (String n : names.subList(Math.min(s * per, names.size()), Math.min((s + 1) * per, names.size()))) {
                part.put(n, tensors.get(n));
                weightMap.put(n, file);
            }
            Safetensors.write(dir.resolve(file), part);
        }
        var root = JSON.createObjectNode();
        root.putObject("metadata");
        var map = root.putObject("weight_map");
        weightMap.forEach(map::put);
        AtomicFiles.writeString(dir.resolve(INDEX), root.toPrettyString());
    }

    private static Map<String, String> weightMap(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (IOException e) {
            throw new CheckpointException(index + " is not valid JSON (" + e.getMessage() + "); re-download it", e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new CheckpointException(index + " has no 'weight_map' (tensor name -> shard file); re-download it");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = map.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().asText();
            String problem = LocalNames.problem(shard);
            if (problem == null && (shard.contains("/") || shard.contains("\\") || shard.equals("."))) {
                problem = "is not a plain file name";
            }
            if (!e.getValue().isTextual() || problem != null) {
                throw new CheckpointException(index + ": weight_map entry '" + e.getKey() + "' -> '" + shard + "' "
                        + (problem == null ? "is not a string" : problem)
                        + ": a shard must be a file name in the index's own folder; re-download the index");
            }
            out.put(e.getKey(), shard);
        }
        return out;
    }
}
