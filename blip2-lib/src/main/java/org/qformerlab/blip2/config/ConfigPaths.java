package org.qformerlab.blip2.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Addresses the fields of a nested config record by dotted path ({@code qformer.numQueries},
 * {@code objective.itgWeight}, {@code train.steps}): reads them, lists them, and makes a copy with
 * some of them changed. This is how an ablation study, a notebook magic or a command-line
 * {@code --set path=value} names "the one knob that varies".
 *
 * <p>An override goes through the same door as a config file: the record is turned into a JSON
 * tree, the values are set, and the tree is read back, so the records' own validation runs on the
 * result and a bad value is reported with the field's rule. A path that names no field is an error
 * that lists the fields that exist at that level.
 *
 * <pre>{@code
 * ExperimentConfig c = ConfigPaths.with(ExperimentConfig.embedded(), Map.of(
 *         "qformer.numQueries", 8,
 *         "objective.itgWeight", 0.0));
 * }</pre>
 */
public final class ConfigPaths {

    private ConfigPaths() {}

    /** A copy of {@code config} with the field at {@code path} set to {@code value}. */
    public static <T> T with(T config, String path, Object value) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put(path, value);
        return with(config, one);
    }

    /**
     * A copy of {@code config} with every {@code path -> value} applied, in order. Values are plain
     * Java values (numbers, booleans, strings, enum constants or their names, lists, nested maps).
     *
     * @throws ConfigException naming the path when it does not exist or the value breaks a rule
     */
    @SuppressWarnings("unchecked")
    public static <T> T with(T config, Map<String, ?> overrides) {
        Class<T> type = (Class<T>) config.getClass();
        ObjectNode tree = Configs.JSON.valueToTree(config);
        for (Map.Entry<String, ?> e : overrides.entrySet()) {
            set(tree, type, e.getKey(), Configs.JSON.valueToTree(e.getValue()));
        }
        return read(tree, type, overrides.keySet());
    }

    /**
     * As {@link #with(Object, Map)}, with values written as text the way a config file would write
     * them ({@code "8"}, {@code "0.5"}, {@code "true"}, {@code "UNIMODAL"}, {@code "[TEST, VAL]"}):
     * the form in which command lines and notebook magics receive them.
     */
    @SuppressWarnings("unchecked")
    public static <T> T withText(T config, Map<String, String> overrides) {
        Class<T> type = (Class<T>) config.getClass();
        ObjectNode tree = Configs.JSON.valueToTree(config);
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            JsonNode value;
            try {
                value = Configs.YAML.readTree(e.getValue() == null ? "" : e.getValue());
            } catch (JsonProcessingException ex) {
                throw new ConfigException(
                        "cannot read the value '" + e.getValue() + "' for " + e.getKey() + ": " + ex.getOriginalMessage());
            }
            set(tree, type, e.getKey(), value == null || value.isMissingNode() ? Configs.JSON.nullNode() : value);
        }
        return read(tree, type, overrides.keySet());
    }

    /** The value at {@code path} (a number, boolean, string, list or nested map). */
    public static Object get(Object config, String path) {
        JsonNode node = Configs.JSON.valueToTree(config);
        String[] parts = split(path);
        for (int i = 0; i < parts.length; i++) {
            JsonNode next = node.isObject() ? node.get(parts[i]) : null;
            if (next == null) {
                throw unknown(config.getClass(), parts, i, node);
            }
            node = next;
        }
        return Configs.JSON.convertValue(node, Object.class);
    }

    /** Every leaf path of the config with its current value, in declaration order. */
    public static Map<String, Object> leaves(Object config) {
        Map<String, Object> out = new LinkedHashMap<>();
        collect("", Configs.JSON.valueToTree(config), out);
        return out;
    }

    private static void collect(String prefix, JsonNode node, Map<String, Object> out) {
        if (node.isObject() && node.size() > 0) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                collect(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, Configs.JSON.convertValue(node, Object.class));
        }
    }

    private static void set(ObjectNode tree, Class<?> type, String path, JsonNode value) {
        String[] parts = split(path);
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            if (next == null || !next.isObject()) {
                throw next == null
                        ? unknown(type, parts, i, node)
                        : new ConfigException("'" + path + "': " + String.join(".", List.of(parts).subList(0, i + 1))
                                + " is a value, not a section; it has no field '" + parts[i + 1] + "'");
            }
            node = (ObjectNode) next;
        }
        String leaf = parts[parts.length - 1];
        JsonNode current = node.get(leaf);
        if (current == null) {
            throw unknown(type, parts, parts.length - 1, node);
        }
        if (current.isObject() && !value.isObject() && isSection(type, parts)) {
            throw new ConfigException("'" + path + "' is a section with fields " + fieldNames(current)
                    + "; set one of them, e.g. '" + path + "." + fieldNames(current).get(0) + "'");
        }
        node.set(leaf, value);
    }

    /**
     * Whether the field at {@code parts} is a section (a nested config record) rather than a value that
     * happens to be written as a mapping, such as a custom mask ({@link MaskSpec}), which a name may
     * replace.
     */
    private static boolean isSection(Class<?> type, String[] parts) {
        Class<?> at = type;
        for (String part : parts) {
            if (!at.isRecord()) {
                return true; // not a record we can read: keep to the cautious rule
            }
            Class<?> next = null;
            for (java.lang.reflect.RecordComponent c : at.getRecordComponents()) {
                if (c.getName().equals(part)) {
                    next = c.getType();
                }
            }
            if (next == null) {
                return true;
            }
            at = next;
        }
        return at.isRecord();
    }

    private static <T> T read(ObjectNode tree, Class<T> type, java.util.Set<String> paths) {
        try {
            return Configs.JSON.treeToValue(tree, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Throwable root = e;
            while (root.getCause() != null && root != root.getCause()) {
                root = root.getCause();
            }
            String why = root instanceof IllegalArgumentException ? root.getMessage()
                    : e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage();
            throw new ConfigException("override " + paths + " gives an invalid " + type.getSimpleName() + ": " + why, e);
        }
    }

    private static String[] split(String path) {
        if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
            throw new ConfigException("'" + path + "' is not a config path; write it as section.field, e.g. train.steps");
        }
        return path.trim().split("\\.");
    }

    private static ConfigException unknown(Class<?> type, String[] parts, int at, JsonNode level) {
        String where = at == 0 ? type.getSimpleName() : "'" + String.join(".", List.of(parts).subList(0, at)) + "'";
        return new ConfigException("unknown config path '" + String.join(".", parts) + "': " + where
                + " has no field '" + parts[at] + "'; known fields: " + fieldNames(level));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
