package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Config trees addressed by dotted paths ({@code qformer.numQueries}, {@code train.seed}): how a study
 * turns its base config into one variant's config. An override may only replace a field that the base
 * tree already has, so a misspelt path is an error instead of a silently ignored key.
 */
public final class ConfigTree {

    private ConfigTree() {
    }

    /**
     * Returns a copy of {@code base} with the field at {@code path} replaced by {@code value}.
     *
     * @throws IllegalArgumentException if the path does not exist in {@code base}, naming the first
     *     missing segment and the fields that do exist there
     */
    public static ObjectNode with(ObjectNode base, String path, JsonNode value) {
        ObjectNode copy = base.deepCopy();
        set(copy, path, value);
        return copy;
    }

    /** Replaces, in place, the field at {@code path}; see {@link #with}. */
    public static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = split(path);
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            if (child == null || !child.isObject()) {
                throw missing(path, parts, i, parent, child);
            }
            parent = (ObjectNode) child;
        }
        String last = parts[parts.length - 1];
        if (!parent.has(last)) {
            throw missing(path, parts, parts.length - 1, parent, null);
        }
        JsonNode old = parent.get(last);
        if (old.isObject() && !value.isObject()) {
            throw new IllegalArgumentException("config path '" + path + "' is a section, not a value: "
                    + "set one of its fields instead (" + fields(old) + ")");
        }
        parent.set(last, value.deepCopy());
    }

    /** The node at {@code path}, or {@code null} when it does not exist. */
    public static JsonNode get(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : split(path)) {
            node = node == null ? null : node.get(part);
        }
        return node;
    }

    /**
     * Lays {@code top} over {@code bottom} in place: sections merge field by field, everything else is
     * replaced. Used to stack an experiment's defaults, a base config file and a spec's inline base.
     */
    public static void overlay(ObjectNode bottom, JsonNode top) {
        Iterator<Map.Entry<String, JsonNode>> it = top.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = bottom.get(e.getKey());
            if (current != null && current.isObject() && e.getValue().isObject()) {
                overlay((ObjectNode) current, e.getValue());
            } else {
                bottom.set(e.getKey(), e.getValue().deepCopy());
            }
        }
    }

    private static String[] split(String path) {
        if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new IllegalArgumentException("config path '" + path
                    + "' is not a dotted path like 'qformer.numQueries'");
        }
        return path.split("\\.");
    }

    private static IllegalArgumentException missing(String path, String[] parts, int at, JsonNode parent,
            JsonNode found) {
        String where = at == 0 ? "at the top level" : "under '" + String.join(".", List.of(parts).subList(0, at)) + "'";
        String what = found == null
                ? "there is no field '" + parts[at] + "' " + where
                : "'" + parts[at] + "' " + where + " is a value, not a section";
        return new IllegalArgumentException("config path '" + path + "' does not exist in the base config: "
                + what + "; fields there: " + fields(parent));
    }

    private static List<String> fields(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
