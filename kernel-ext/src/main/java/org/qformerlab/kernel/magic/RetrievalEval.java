package org.qformerlab.kernel.magic;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.data.EvaluationSet;
import org.qformerlab.blip2.data.ShapesDataset;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.eval.Recall;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.report.ImageGrid;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * {@code %eval retrieval [RUN_DIR] [--split S] [--examples N]}: image-text retrieval of a stage-1 run
 * as BLIP-2 reports it — recall@1/5/10 image->text and text->image, ranked by ITC alone and after
 * ITM re-ranks ITC's top k, beside a random ranking — one table per split. The run is the last one
 * {@code %train stage1} made in this notebook, or a run folder (its {@code results.json}).
 * Hits are counted twice: "own caption" (LAVIS's protocol, with the recall a perfect scorer reaches
 * under it) and "true caption" (any caption the scene makes true, ceiling 1).
 * {@code --examples N} draws the first N test images with the captions ranked first for them.
 * Recall is shown to three decimals (the bound run keeps the exact values).
 */
final class RetrievalEval implements MagicTask {

    @Override
    public String name() {
        return "retrieval";
    }

    @Override
    public String summary() {
        return "recall@1/5/10 both directions, ITC and ITC+ITM, of the last %train stage1 or a run folder";
    }

    @Override
    public void run(MagicArgs args, MagicContext context) throws IOException {
        args.atMostPositionals(2);
        String folder = args.positional(1, null);
        String only = args.string("split", null);
        int examples = args.integer("examples", 0, 0);
        Map<String, SplitMetrics> splits;
        Stage1Result inMemory = null;
        if (folder != null) {
            splits = fromFolder(args.spec(), Path.of(folder));
        } else {
            inMemory = context.state().lastResult(Stage1Result.class).orElseThrow(() -> new MagicUsageException(
                    args.spec(), "no stage-1 run in this notebook yet: run %train stage1 first, or name a run folder"));
            splits = fromResult(inMemory);
        }
        if (only != null && !splits.containsKey(only.toLowerCase(Locale.ROOT))) {
            throw new MagicUsageException(args.spec(), "--split " + only + " was not evaluated in this run; splits: "
                    + String.join(", ", splits.keySet()));
        }
        for (Map.Entry<String, SplitMetrics> e : splits.entrySet()) {
            if (only == null || e.getKey().equals(only.toLowerCase(Locale.ROOT))) {
                context.display(table(e.getKey(), e.getValue()));
            }
        }
        if (examples > 0) {
            if (inMemory == null) {
                context.println("--examples needs a run trained in this notebook (a run folder keeps its examples in"
                        + " report.md)");
            } else {
                context.display(examples(inMemory, examples));
            }
        }
    }

    /** One split's flat metrics ({@code i2t_r1_itc}, {@code t2i_r5_itm}, ...) and its re-ranking depth. */
    record SplitMetrics(Map<String, Double> metrics, int rerankK) {}

    static Map<String, SplitMetrics> fromResult(Stage1Result result) {
        Map<String, SplitMetrics> out = new LinkedHashMap<>();
        result.retrieval().forEach((split, r) ->
                out.put(split.name().toLowerCase(Locale.ROOT), new SplitMetrics(r.metrics(""), r.rerankK())));
        return out;
    }

    static Map<String, SplitMetrics> fromFolder(MagicSpec spec, Path folder) throws IOException {
        JsonNode root = RunResults.read(spec, folder, "stage-1");
        JsonNode retrieval = root.path("retrieval");
        if (!retrieval.isObject() || retrieval.isEmpty()) {
            throw new MagicUsageException(spec, folder.resolve("results.json") + " holds no retrieval results (is it a"
                    + " stage-1 run?)");
        }
        int rerankK = root.path("rerank_k").asInt(0);
        Map<String, SplitMetrics> out = new LinkedHashMap<>();
        retrieval.fields().forEachRemaining(e -> {
            Map<String, Double> m = new LinkedHashMap<>();
            e.getValue().fields().forEachRemaining(v -> m.put(v.getKey(), v.getValue().asDouble()));
            out.put(e.getKey(), new SplitMetrics(m, rerankK));
        });
        return out;
    }

    /**
     * Rows: direction x method; columns: R@1, R@5, R@10, and (when the run tested it) what re-ranking
     * did at R@1 query by query: misses turned hits, hits turned misses, McNemar's exact p.
     */
    static Table table(String split, SplitMetrics s) {
        boolean tested = SplitRetrieval.rerankTest(s.metrics(), "i2t") != null;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String dir : List.of("i2t", "t2i")) {
            for (String method : List.of("itc", "itm", "chance", "ceiling", "true_itc", "true_itm", "true_chance")) {
                if (!s.metrics().containsKey(dir + "_r1_" + method)) {
                    continue;
                }
                String base = method.replace("true_", "");
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("direction", dir.equals("i2t") ? "image -> text" : "text -> image");
                row.put("hit", method.startsWith("true_") ? "true caption" : "own caption");
                row.put("ranking", switch (base) {
                    case "itc" -> "ITC";
                    case "itm" -> "ITC + ITM (top " + s.rerankK() + ")";
                    case "ceiling" -> "perfect scorer";
                    default -> "chance";
                });
                for (int k : Recall.STANDARD_KS) {
                    Double v = s.metrics().get(dir + "_r" + k + "_" + method);
                    row.put("R@" + k, v == null ? Double.NaN : Math.round(v * 1000) / 1000.0);
                }
                if (tested) {
                    row.put(SplitRetrieval.RERANK_COLUMN,
                            method.equals("itm") ? SplitRetrieval.rerankTest(s.metrics(), dir).shortText() : "");
                }
                rows.add(row);
            }
        }
        return Tables.fromRows("retrieval, " + split + " split", rows);
    }

    /** The first test images, each with its two top-ranked captions, marked right (its own) or wrong. */
    static ImageGrid examples(Stage1Result result, int n) {
        Split split = result.retrieval().keySet().iterator().next();
        SplitRetrieval r = result.retrieval().get(split);
        ShapesDataset world = ShapesWorld.generate(result.config().data());
        EvaluationSet set = EvaluationSet.of(world.split(split));
        List<BufferedImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (SplitRetrieval.Example e : r.examples().subList(0, Math.min(n, r.examples().size()))) {
            images.add(set.images().get(e.imageIndex()).image());
            // the grid wraps captions as one paragraph: rank and verdict lead each caption
            List<String> ranked = new ArrayList<>();
            for (int i = 0; i < Math.min(2, e.captions().size()); i++) {
                ranked.add((i + 1) + " " + (e.correct().get(i) ? "right" : "wrong")
                        + (e.own().get(i) ? " (own)" : "") + ": " + e.captions().get(i));
            }
            captions.add(String.join(" / ", ranked));
        }
        if (images.isEmpty()) {
            throw new MagicUsageException("the run kept no examples (eval.examples = 0); train with"
                    + " --set eval.examples=4");
        }
        return ImageGrid.of(images).captions(captions).columns(Math.min(images.size(), 4)).cellSize(160)
                .maxCaptionLines(8);
    }
}
