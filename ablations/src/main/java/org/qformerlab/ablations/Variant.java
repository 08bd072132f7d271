package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One setting of a study: the config overrides that make it, a human name, a folder name and one
 * table cell per axis.
 *
 * @param name the human name, e.g. {@code ITC+ITM+ITG} or {@code numQueries=8}
 * @param slug the folder name, e.g. {@code itc-itm-itg}
 * @param overrides dotted config path to value, in axis order
 * @param sources dotted config path to the spec field that set it, e.g. {@code grid[0]}
 * @param cells axis column name to this variant's label or value there
 * @param coordinates axis path to the index of this variant's value on that axis
 */
public record Variant(String name, String slug, Map<String, JsonNode> overrides, Map<String, String> sources,
        Map<String, Object> cells, Map<String, Integer> coordinates) {

    /**
     * Expands the grid's cartesian product (the first axis varies slowest) times the zip's settings.
     * No axes at all gives one variant, {@code base}.
     */
    static List<Variant> expand(List<Axis> grid, List<Axis> zip) {
        List<List<int[]>> points = new ArrayList<>();
        points.add(new ArrayList<>());
        for (int g = 0; g < grid.size(); g++) {
            List<List<int[]>> next = new ArrayList<>();
            for (List<int[]> point : points) {
                for (int i = 0; i < grid.get(g).values().size(); i++) {
                    List<int[]> p = new ArrayList<>(point);
                    p.add(new int[] {g, i});
                    next.add(p);
                }
            }
            points = next;
        }
        int zipLength = zip.isEmpty() ? 1 : zip.get(0).values().size();
        List<Variant> variants = new ArrayList<>();
        for (List<int[]> point : points) {
            for (int z = 0; z < zipLength; z++) {
                variants.add(of(grid, point, zip, zip.isEmpty() ? -1 : z));
            }
        }
        return variants;
    }

    private static Variant of(List<Axis> grid, List<int[]> point, List<Axis> zip, int z) {
        Map<String, JsonNode> overrides = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, Object> cells = new LinkedHashMap<>();
        Map<String, Integer> coordinates = new LinkedHashMap<>();
        List<String> nameParts = new ArrayList<>();
        for (int[] gi : point) {
            Axis a = grid.get(gi[0]);
            overrides.put(a.path(), a.values().get(gi[1]));
            sources.put(a.path(), "grid[" + gi[0] + "]");
            cells.put(a.columnName(), a.cell(gi[1]));
            coordinates.put(a.path(), gi[1]);
            nameParts.add(a.label(gi[1]));
        }
        if (z >= 0) {
            List<String> labelled = new ArrayList<>();
            List<String> plain = new ArrayList<>();
            for (int k = 0; k < zip.size(); k++) {
                Axis a = zip.get(k);
                overrides.put(a.path(), a.values().get(z));
                sources.put(a.path(), "zip[" + k + "]");
                cells.put(a.columnName(), a.cell(z));
                coordinates.put(a.path(), z);
                (a.labels() != null ? labelled : plain).add(a.label(z));
            }
            nameParts.add(String.join(", ", labelled.isEmpty() ? plain : labelled));
        }
        String name = nameParts.isEmpty() ? "base" : String.join(", ", nameParts);
        return new Variant(name, slug(name), overrides, sources, cells, coordinates);
    }

    /** A folder-safe form of a name: lower case, runs of other characters become one '-'. */
    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "variant" : s;
    }
}
