package org.qformerlab.ablations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.qformerlab.blip2.config.ConfigException;
import org.qformerlab.blip2.config.LocalNames;

/**
 * An ablation study as written in its YAML (or JSON) file: the question, the experiment kind, the base
 * config, the axes to vary, the seeds, the metrics and the plots. For example:
 *
 * <pre>{@code
 * name: itg-helps-retrieval
 * question: Does adding ITG to ITC + ITM improve retrieval?
 * kind: stage1
 * base: {train: {steps: 2000}}
 * grid:
 *   - path: objective.itgWeight
 *     values: [0, 1]
 *     labels: [ITC+ITM, ITC+ITM+ITG]
 * seeds: 3
 * metrics:
 *   - {name: i2t_r1, better: higher}
 * quick: {seeds: 1, set: {train.steps: 20}}
 * }</pre>
 *
 * <p>{@link #read} checks the spec's own structure (unknown fields, empty axes, zip lengths, labels,
 * seeds, plots naming unknown metrics); {@link Study#load} then checks every variant's config against
 * the experiment.
 *
 * @param name the study's name, also its output folder's name
 * @param question the question it answers, one line
 * @param kind the {@link Experiment#kind()} that runs each variant
 * @param baseFile optional config file (JSON or YAML, relative to the spec) laid over the experiment's
 *     defaults
 * @param base optional inline config tree laid over that
 * @param grid axes combined as a cartesian product
 * @param zip axes varied together (equal lengths): the i-th values of all of them form one setting,
 *     combined with every grid point
 * @param seeds a count {@code n} (seeds 1..n) or a list of seeds
 * @param seedPath where each run's seed goes (default {@code train.seed}); several paths separated
 *     by commas all get it (e.g. {@code train.seed,stage2.train.seed}, so that both stages of a
 *     stage-2 run vary with the seed)
 * @param metrics what to collect; the first is the headline unless {@code headline} or {@code paper}
 *     names another
 * @param plots which figures to draw
 * @param quick the overrides of {@code --quick}
 * @param parallel how many runs may execute at once, each in its own process (default 1)
 * @param notes free text printed under the question in the report
 * @param paper optional: the paper's finding as a comparison of two variants, which the report
 *     checks against this study's numbers ({@link PaperClaim})
 * @param headline optional: the metric that answers the question, on which the report's answer,
 *     main table and main figure are (default: the paper claim's metric, else the first metric)
 * @param baseline optional: the variant every other is compared with, paired by seed, on the
 *     headline (default: the paper claim's {@code worse} variant, else the first variant)
 * @param slurm optional: what each run asks of SLURM when the study runs as a job array
 *     ({@code --executor slurm}); the command line's resource options override it
 */
public record StudySpec(
        String name,
        String question,
        String kind,
        String baseFile,
        ObjectNode base,
        List<Axis> grid,
        List<Axis> zip,
        JsonNode seeds,
        String seedPath,
        List<MetricSpec> metrics,
        PlotSpec plots,
        QuickSpec quick,
        Integer parallel,
        String notes,
        PaperClaim paper,
        String headline,
        String baseline,
        SlurmResources slurm) {

    /** The config paths the seed goes to: {@link #seedPath()} split at commas. */
    public List<String> seedPaths() {
        return java.util.Arrays.stream(seedPath.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    /** The default {@link #seedPath()}. */
    public static final String DEFAULT_SEED_PATH = "train.seed";

    static final ObjectMapper YAML = JsonMapper.builder(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    public StudySpec {
        // not List.copyOf: it rejects a null element, which check() reports by name instead
        grid = grid == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(grid));
        zip = zip == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(zip));
        seedPath = seedPath == null ? DEFAULT_SEED_PATH : seedPath;
        metrics = metrics == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(metrics));
        plots = plots == null ? new PlotSpec(null, null, null) : plots;
        quick = quick == null ? new QuickSpec(null, null) : quick;
        parallel = parallel == null ? 1 : parallel;
        slurm = slurm == null ? SlurmResources.defaults() : slurm;
    }

    /**
     * Reads and checks a spec file.
     *
     * @throws ConfigException naming the file, the field and the fix
     */
    public static StudySpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("study spec not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read study spec " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses and checks spec text (YAML or JSON); {@code source} names it in error messages. */
    public static StudySpec parse(String text, String source) {
        StudySpec spec;
        try {
            spec = YAML.readValue(text, StudySpec.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source + ": unknown field '" + e.getPropertyName() + "' " + where(e)
                    + "; known fields: " + e.getKnownPropertyIds(), e);
        } catch (JsonMappingException e) {
            throw new ConfigException(source + ": invalid value " + where(e) + ": " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid YAML/JSON: " + e.getOriginalMessage(), e);
        }
        if (spec == null) {
            throw new ConfigException(source + ": the study spec is empty");
        }
        spec.check(source);
        return spec;
    }

    /** The seeds of a full run. */
    public List<Long> seedList() {
        return seedList(seeds, "seeds");
    }

    /** The seeds of a {@code --quick} run: {@code quick.seeds} if given, else {@link #seedList()}. */
    public List<Long> quickSeedList() {
        return quick.seeds() == null ? seedList() : seedList(quick.seeds(), "quick.seeds");
    }

    /** The first metric listed. */
    public MetricSpec primaryMetric() {
        return metrics.get(0);
    }

    /**
     * The metric that answers the question: {@link #headline()}, else the paper claim's metric, else
     * the first metric.
     */
    public MetricSpec headlineMetric() {
        String named = headline != null ? headline : paper != null ? paper.metric() : null;
        return named != null && metric(named) != null ? metric(named) : primaryMetric();
    }

    /**
     * The variant the others are compared with on the headline: {@link #baseline()}, else the paper
     * claim's {@code worse} variant, else the first variant.
     */
    public String baselineVariant() {
        return baseline != null ? baseline : paper != null ? paper.worse() : variants().get(0).name();
    }

    /** The metric spec of this name, or {@code null}. */
    public MetricSpec metric(String metricName) {
        return metrics.stream().filter(m -> m.name().equals(metricName)).findFirst().orElse(null);
    }

    /** Every axis, grid first, then zip. */
    public List<Axis> axes() {
        List<Axis> all = new ArrayList<>(grid);
        all.addAll(zip);
        return all;
    }

    /** The variants this spec expands to: the grid's cartesian product times the zip's settings. */
    public List<Variant> variants() {
        return Variant.expand(grid, zip);
    }

    private void check(String source) {
        String s = source + ": ";
        require(name != null && !name.isBlank(), s + "'name' is missing: give the study a short name (it names its folder)");
        require(name.matches("[A-Za-z0-9._-]+"), s + "name '" + name + "' may only hold letters, digits, '.', '_' and '-' (it names a folder)");
        String escape = name.equals(".") ? "is the current folder" : LocalNames.problem(name);
        require(escape == null, s + "name '" + name + "' " + escape
                + ": it names the study's folder under runs/ablations/; give a plain name such as itg-helps-retrieval");
        require(question != null && !question.isBlank(), s + "'question' is missing: state in one line what the study answers");
        require(!question.strip().contains("\n"), s + "'question' must be one line");
        require(kind != null && !kind.isBlank(), s + "'kind' is missing: name the experiment that runs each variant (e.g. stage1)");
        require(!metrics.isEmpty(), s + "'metrics' is empty: list at least one metric, e.g. {name: i2t_r1, better: higher}");
        Set<String> metricNames = new HashSet<>();
        for (int i = 0; i < metrics.size(); i++) {
            MetricSpec m = metrics.get(i);
            require(m != null, s + "metrics[" + i + "] is empty: give {name: ..., better: higher|lower}");
            require(m.name() != null && !m.name().isBlank(), s + "metrics[" + i + "].name is missing");
            require(metricNames.add(m.name()), s + "metrics[" + i + "]: metric '" + m.name() + "' is listed twice");
        }
        require(parallel >= 1, s + "parallel=" + parallel + " must be at least 1");
        try {
            slurm.check(s + "slurm.");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        checkAxes(s, "grid", grid);
        checkAxes(s, "zip", zip);
        checkZipLengths(s);
        Set<String> paths = new HashSet<>();
        for (Axis a : axes()) {
            require(paths.add(a.path()), s + "config path '" + a.path() + "' is varied by two axes; vary each path once");
        }
        for (String p : seedPaths()) {
            require(!paths.contains(p), s + "seedPath '" + p + "' is also an axis; seeds are given with 'seeds'");
        }
        seedList(seeds, s + "seeds");
        if (quick.seeds() != null) {
            seedList(quick.seeds(), s + "quick.seeds");
        }
        if (quick.set() != null) {
            for (String path : quick.set().keySet()) {
                require(!paths.contains(path), s + "quick.set '" + path + "' is also an axis; --quick would erase the variation");
            }
        }
        checkPlots(s, "plots.bars", plots.bars());
        checkPlots(s, "plots.vsAxis", plots.vsAxis());
        if (plots.lossCurves() != null) {
            plots.lossCurves().forEach(k -> require(k != null && !k.isBlank(), s + "plots.lossCurves holds an empty key"));
        }
        List<Variant> variants = variants();
        Set<String> slugs = new HashSet<>();
        for (Variant v : variants) {
            require(slugs.add(v.slug()), s + "two variants share the folder name '" + v.slug() + "' (variant '"
                    + v.name() + "'); give the axes distinct labels");
        }
        if (paper != null) {
            List<String> names = variants.stream().map(Variant::name).toList();
            require(paper.finding() != null && !paper.finding().isBlank(), s + "paper.finding is missing: state the paper's finding");
            for (String[] f : new String[][] {{"paper.better", paper.better()}, {"paper.worse", paper.worse()}}) {
                require(names.contains(f[1]), s + f[0] + " names '" + f[1] + "', which is not a variant; the variants are " + names);
            }
            require(!paper.better().equals(paper.worse()), s + "paper.better and paper.worse are the same variant");
            require(metric(paper.metric()) != null, s + "paper.metric names '" + paper.metric()
                    + "', which is not among the metrics " + metricNames);
        }
        if (headline != null) {
            require(metric(headline) != null, s + "headline names '" + headline + "', which is not among the metrics "
                    + metrics.stream().map(MetricSpec::name).toList() + "; name the metric that answers the question");
        }
        if (baseline != null) {
            List<String> names = variants.stream().map(Variant::name).toList();
            require(names.contains(baseline), s + "baseline names '" + baseline + "', which is not a variant; the"
                    + " variants are " + names);
        }
    }

    private static void checkAxes(String s, String field, List<Axis> axes) {
        for (int i = 0; i < axes.size(); i++) {
            Axis a = axes.get(i);
            String f = s + field + "[" + i + "]";
            require(a != null, f + " is empty");
            require(a.path() != null && !a.path().isBlank(), f + ".path is missing: name the dotted config path to vary");
            f += " (" + a.path() + ")";
            require(a.values() != null && !a.values().isEmpty(), f + ".values is empty: list at least one value");
            require(a.values().stream().noneMatch(v -> v == null || v.isNull()), f + ".values holds an empty value");
            if (a.labels() != null) {
                require(a.labels().size() == a.values().size(), f + ".labels has " + a.labels().size()
                        + " labels for " + a.values().size() + " values: give one label per value");
                require(new HashSet<>(a.labels()).size() == a.labels().size(), f + ".labels repeats a label");
            }
            // a zip axis may repeat a value (it moves with the others); a grid axis may not
            require(field.endsWith("zip") || a.values().stream().map(Axis::text).distinct().count() == a.values().size(),
                    f + ".values repeats a value");
        }
    }

    private void checkZipLengths(String s) {
        for (int i = 1; i < zip.size(); i++) {
            Axis first = zip.get(0);
            Axis a = zip.get(i);
            int n0 = first.values().size();
            int n = a.values().size();
            if (n != n0) {
                Axis longer = n > n0 ? a : first;
                Axis shorter = n > n0 ? first : a;
                int variant = Math.min(n, n0);
                throw new ConfigException(s + "zip[" + i + "] (" + a.path() + ") has " + n + " values but zip[0] ("
                        + first.path() + ") has " + n0 + ": zip axes vary together and need equal lengths; zip variant #"
                        + (variant + 1) + " (" + longer.label(variant) + ") has no value for " + shorter.path());
            }
        }
    }

    private void checkPlots(String s, String field, List<String> names) {
        if (names == null) {
            return;
        }
        for (String n : names) {
            require(metric(n) != null, s + field + " names '" + n + "', which is not among the metrics "
                    + metrics.stream().map(MetricSpec::name).collect(Collectors.toList()) + "; add it to 'metrics'");
        }
    }

    private static List<Long> seedList(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return List.of(1L);
        }
        if (node.isIntegralNumber()) {
            int n = node.asInt();
            require(n >= 1, field + "=" + n + ": give a count of at least 1 or a list of seeds");
            List<Long> out = new ArrayList<>();
            for (long k = 1; k <= n; k++) {
                out.add(k);
            }
            return out;
        }
        require(node.isArray() && !node.isEmpty(), field + " must be a count (3) or a non-empty list of whole numbers ([1, 2, 3])");
        List<Long> out = new ArrayList<>();
        for (JsonNode s : node) {
            require(s.isIntegralNumber(), field + " holds '" + s + "', which is not a whole number");
            require(!out.contains(s.asLong()), field + " repeats seed " + s.asLong());
            out.add(s.asLong());
        }
        return out;
    }

    private static String where(JsonMappingException e) {
        if (e.getPath().isEmpty()) {
            return "at the top level";
        }
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        // For an unknown field the last reference is the field itself; name where it sits.
        if (e instanceof UnrecognizedPropertyException u) {
            String full = sb.toString();
            String tail = u.getPropertyName();
            String parent = full.endsWith(tail) ? full.substring(0, full.length() - tail.length()) : full;
            parent = parent.endsWith(".") ? parent.substring(0, parent.length() - 1) : parent;
            return parent.isEmpty() ? "at the top level" : "in " + parent;
        }
        return "at " + sb;
    }

    private static void require(boolean ok, String message) {
        ConfigException.require(ok, message);
    }

    /** The spec's quick overrides, in order (empty when there is no quick section). */
    Map<String, JsonNode> quickSet() {
        return quick.set() == null ? Map.of() : quick.set();
    }

    /** This config with {@code name} replaced. */
    public StudySpec withName(String name) {
        return toBuilder().name(name).build();
    }

    /** This config with {@code question} replaced. */
    public StudySpec withQuestion(String question) {
        return toBuilder().question(question).build();
    }

    /** This config with {@code kind} replaced. */
    public StudySpec withKind(String kind) {
        return toBuilder().kind(kind).build();
    }

    /** This config with {@code baseFile} replaced. */
    public StudySpec withBaseFile(String baseFile) {
        return toBuilder().baseFile(baseFile).build();
    }

    /** This config with {@code base} replaced. */
    public StudySpec withBase(ObjectNode base) {
        return toBuilder().base(base).build();
    }

    /** This config with {@code grid} replaced. */
    public StudySpec withGrid(List<Axis> grid) {
        return toBuilder().grid(grid).build();
    }

    /** This config with {@code zip} replaced. */
    public StudySpec withZip(List<Axis> zip) {
        return toBuilder().zip(zip).build();
    }

    /** This config with {@code seeds} replaced. */
    public StudySpec withSeeds(JsonNode seeds) {
        return toBuilder().seeds(seeds).build();
    }

    /** This config with {@code seedPath} replaced. */
    public StudySpec withSeedPath(String seedPath) {
        return toBuilder().seedPath(seedPath).build();
    }

    /** This config with {@code metrics} replaced. */
    public StudySpec withMetrics(List<MetricSpec> metrics) {
        return toBuilder().metrics(metrics).build();
    }

    /** This config with {@code plots} replaced. */
    public StudySpec withPlots(PlotSpec plots) {
        return toBuilder().plots(plots).build();
    }

    /** This config with {@code quick} replaced. */
    public StudySpec withQuick(QuickSpec quick) {
        return toBuilder().quick(quick).build();
    }

    /** This config with {@code parallel} replaced. */
    public StudySpec withParallel(Integer parallel) {
        return toBuilder().parallel(parallel).build();
    }

    /** This config with {@code notes} replaced. */
    public StudySpec withNotes(String notes) {
        return toBuilder().notes(notes).build();
    }

    /** This config with {@code paper} replaced. */
    public StudySpec withPaper(PaperClaim paper) {
        return toBuilder().paper(paper).build();
    }

    /** This spec with {@code headline} replaced. */
    public StudySpec withHeadline(String headline) {
        return toBuilder().headline(headline).build();
    }

    /** This spec with {@code baseline} replaced. */
    public StudySpec withBaseline(String baseline) {
        return toBuilder().baseline(baseline).build();
    }

    /** This spec with {@code slurm} replaced. */
    public StudySpec withSlurm(SlurmResources slurm) {
        return toBuilder().slurm(slurm).build();
    }

    /** A builder starting from this config: name the fields that change, then {@link Builder#build}. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Named construction of a {@link StudySpec}: starts from a config, every field has a setter, and the
     * record validates once, in {@link #build} (so fields that must agree can change together).
     */
    public static final class Builder {
        private String name;
        private String question;
        private String kind;
        private String baseFile;
        private ObjectNode base;
        private List<Axis> grid;
        private List<Axis> zip;
        private JsonNode seeds;
        private String seedPath;
        private List<MetricSpec> metrics;
        private PlotSpec plots;
        private QuickSpec quick;
        private Integer parallel;
        private String notes;
        private PaperClaim paper;
        private String headline;
        private String baseline;
        private SlurmResources slurm;

        private Builder(StudySpec c) {
            this.name = c.name();
            this.question = c.question();
            this.kind = c.kind();
            this.baseFile = c.baseFile();
            this.base = c.base();
            this.grid = c.grid();
            this.zip = c.zip();
            this.seeds = c.seeds();
            this.seedPath = c.seedPath();
            this.metrics = c.metrics();
            this.plots = c.plots();
            this.quick = c.quick();
            this.parallel = c.parallel();
            this.notes = c.notes();
            this.paper = c.paper();
            this.headline = c.headline();
            this.baseline = c.baseline();
            this.slurm = c.slurm();
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder question(String question) {
            this.question = question;
            return this;
        }

        public Builder kind(String kind) {
            this.kind = kind;
            return this;
        }

        public Builder baseFile(String baseFile) {
            this.baseFile = baseFile;
            return this;
        }

        public Builder base(ObjectNode base) {
            this.base = base;
            return this;
        }

        public Builder grid(List<Axis> grid) {
            this.grid = grid;
            return this;
        }

        public Builder zip(List<Axis> zip) {
            this.zip = zip;
            return this;
        }

        public Builder seeds(JsonNode seeds) {
            this.seeds = seeds;
            return this;
        }

        public Builder seedPath(String seedPath) {
            this.seedPath = seedPath;
            return this;
        }

        public Builder metrics(List<MetricSpec> metrics) {
            this.metrics = metrics;
            return this;
        }

        public Builder plots(PlotSpec plots) {
            this.plots = plots;
            return this;
        }

        public Builder quick(QuickSpec quick) {
            this.quick = quick;
            return this;
        }

        public Builder parallel(Integer parallel) {
            this.parallel = parallel;
            return this;
        }

        public Builder notes(String notes) {
            this.notes = notes;
            return this;
        }

        public Builder paper(PaperClaim paper) {
            this.paper = paper;
            return this;
        }

        public Builder headline(String headline) {
            this.headline = headline;
            return this;
        }

        public Builder baseline(String baseline) {
            this.baseline = baseline;
            return this;
        }

        public Builder slurm(SlurmResources slurm) {
            this.slurm = slurm;
            return this;
        }

        public StudySpec build() {
            return new StudySpec(name, question, kind, baseFile, base, grid, zip, seeds, seedPath, metrics, plots, quick, parallel, notes, paper,
                    headline, baseline, slurm);
        }
    }
}
