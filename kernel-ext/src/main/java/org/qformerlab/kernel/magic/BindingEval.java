package org.qformerlab.kernel.magic;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.FoilType;
import org.qformerlab.blip2.eval.Binding;
import org.qformerlab.blip2.eval.PairScorer.Scorer;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * {@code %eval binding [RUN_DIR]}: the binding benchmark of a stage-1 run — each test image's true
 * caption against foils made from its scene graph (attribute swap, relation swap, count change, size
 * change) — as one table: accuracy per foil type of ITC similarity, ITM match probability and ITG
 * likelihood, beside chance (0.5) and the best a bag-of-words matcher can do (0.5 on the swaps, whose
 * foils have the caption's words). The run is the last {@code %train stage1} of this notebook, or a
 * run folder (its {@code results.json}).
 */
final class BindingEval implements MagicTask {

    @Override
    public String name() {
        return "binding";
    }

    @Override
    public String summary() {
        return "true caption against scene-graph foils, accuracy per foil type by ITC, ITM and ITG, beside chance";
    }

    @Override
    public void run(MagicArgs args, MagicContext context) throws IOException {
        args.atMostPositionals(2);
        String folder = args.positional(1, null);
        JsonNode binding;
        if (folder != null) {
            binding = RunResults.read(args.spec(), Path.of(folder), "stage-1").path("binding");
        } else {
            Stage1Result r = context.state().lastResult(Stage1Result.class).orElseThrow(() -> new MagicUsageException(
                    args.spec(), "no stage-1 run in this notebook yet: run %train stage1 first, or name a run folder"));
            binding = r.binding() == null ? Configs.JSON.missingNode() : Configs.JSON.valueToTree(r.binding().summary());
        }
        if (!binding.path("types").isObject()) {
            throw new MagicUsageException(args.spec(), "the run has no binding benchmark (eval.binding was off, or it"
                    + " predates the benchmark); train with --set eval.binding=true");
        }
        context.display(table(binding));
    }

    /** Rows: foil type, then all; columns: n, ITC, ITM, ITG, chance, bag of words at best, SE. */
    static Table table(JsonNode binding) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (FoilType t : FoilType.values()) {
            labels.put(t.key(), t.label());
        }
        labels.put(Binding.ALL, "all");
        List<Map<String, Object>> rows = new ArrayList<>();
        binding.path("types").fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("foils", labels.getOrDefault(e.getKey(), e.getKey()));
            row.put("n", v.path("n").asInt());
            double se = 0;
            for (Scorer s : Scorer.values()) {
                row.put(s.name(), round(v.path(s.key()).asDouble(Double.NaN)));
                se = Math.max(se, v.path(s.key() + "_se").asDouble(0));
            }
            row.put("chance", binding.path("chance").asDouble(Binding.CHANCE));
            row.put("bag of words at best", round(v.path("bag_of_words_ceiling").asDouble(Double.NaN)));
            row.put("SE", Math.round(se * 10000) / 10000.0);
            rows.add(row);
        });
        return Tables.fromRows("binding, " + binding.path("split").asText("test") + " split ("
                + binding.path("images").asInt() + " images)", rows);
    }

    private static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 1000) / 1000.0;
    }
}
