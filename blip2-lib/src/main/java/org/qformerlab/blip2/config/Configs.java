package org.qformerlab.blip2.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes config records as JSON or YAML. A user file only names what it changes: it is
 * laid over a record of defaults, unknown fields are errors that name the field, and the record's
 * own validation runs on the result.
 */
public final class Configs {

    /** JSON mapper shared by configs, checkpoints and reports (pretty, strict). */
    public static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** YAML mapper with the same rules. */
    public static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private Configs() {}

    /** Reads {@code file} (.json, .yaml or .yml) over {@code defaults}. */
    public static <T> T read(Path file, Class<T> type, T defaults) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, type, defaults, file.toString());
    }

    /** Parses JSON or YAML text (YAML is a superset of JSON) over {@code defaults}. */
    public static <T> T parse(String text, Class<T> type, T defaults, String source) {
        try {
            JsonNode user = YAML.readTree(text);
            ObjectNode merged = JSON.valueToTree(defaults);
            if (user != null && !user.isNull() && !user.isMissingNode()) {
                if (!user.isObject()) {
                    throw new ConfigException(
                            source + ": a " + type.getSimpleName() + " must be a mapping of fields, got "
                                    + user.getNodeType());
                }
                overlay(merged, (ObjectNode) user, type);
            }
            return JSON.treeToValue(merged, type);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(
                    source + ": unknown field '" + e.getPropertyName() + "' in " + type.getSimpleName()
                            + "; known fields: " + e.getKnownPropertyIds(),
                    e);
        } catch (JsonProcessingException e) {
            Throwable root = e;
            while (root.getCause() != null && root != root.getCause()) {
                root = root.getCause();
            }
            if (root instanceof ConfigException ce) {
                throw new ConfigException(source + ": " + ce.getMessage(), ce);
            }
            String field = "";
            if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jm && !jm.getPath().isEmpty()) {
                field = " field '" + jm.getPath().stream()
                        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(java.util.stream.Collectors.joining(".")) + "'";
            }
            throw new ConfigException(
                    source + ": invalid " + type.getSimpleName() + field + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Lays {@code user} over {@code base}: a section (a nested record, or a map) is merged field by
     * field; any other field is replaced whole, even one written as a mapping (a custom mask: its
     * {@code matrix} must not be merged into the {@code rules} it replaces).
     */
    private static void overlay(ObjectNode base, ObjectNode user, Class<?> type) {
        Iterator<Map.Entry<String, JsonNode>> it = user.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = base.get(e.getKey());
            Class<?> field = fieldType(type, e.getKey());
            boolean section = field == null || field.isRecord() || Map.class.isAssignableFrom(field);
            if (current != null && current.isObject() && e.getValue().isObject() && section) {
                overlay((ObjectNode) current, (ObjectNode) e.getValue(), field);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    /** The declared type of record {@code type}'s field {@code name}; null when unknown. */
    private static Class<?> fieldType(Class<?> type, String name) {
        if (type == null || !type.isRecord()) {
            return null;
        }
        for (java.lang.reflect.RecordComponent c : type.getRecordComponents()) {
            if (c.getName().equals(name)) {
                return c.getType();
            }
        }
        return null;
    }

    /** Serialises a config as pretty JSON. */
    public static String toJson(Object config) {
        try {
            return JSON.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + config, e);
        }
    }
}
