package org.qformerlab.kernel.magic;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The magics a notebook can call, by name. The standard set is registered here; a module that
 * brings another magic lists its class in
 * {@code META-INF/services/org.qformerlab.kernel.magic.Magic} and replaces a standard one of the
 * same name.
 */
public final class Magics {

    private final Map<String, Magic> byName = new LinkedHashMap<>();

    /** The standard magics plus any found by {@link ServiceLoader}. */
    public static Magics standard() {
        Magics magics = new Magics();
        magics.register(new HelpMagic(magics));
        magics.register(new QFormerMagic());
        magics.register(new MasksMagic());
        magics.register(new DataMagic());
        magics.register(new ConfigMagic(ConfigTypes.standard()));
        magics.register(TrainMagic.standard());
        magics.register(EvalMagic.standard());
        magics.register(new AblateMagic());
        magics.register(new AttentionMagic());
        // what IJava / JJava users type first
        magics.register(new MavenMagic());
        magics.register(new ClasspathMagic());
        magics.register(new LoadMagic());
        magics.register(new TimeMagic());
        magics.register(new BenchMagic());
        for (Magic m : ServiceLoader.load(Magic.class)) {
            magics.register(m);
        }
        return magics;
    }

    /**
     * The magics that {@code keep} accepts, as a set of their own whose {@code %help} lists just them
     * (the JJava extension leaves out the magics JJava has itself).
     */
    public Magics only(java.util.function.Predicate<Magic> keep) {
        Magics kept = new Magics();
        for (Magic m : byName.values()) {
            if (keep.test(m)) {
                kept.register(m instanceof HelpMagic ? new HelpMagic(kept) : m);
            }
        }
        return kept;
    }

    /** Adds a magic, replacing one of the same name. */
    public Magics register(Magic magic) {
        byName.put(magic.spec().name(), magic);
        return this;
    }

    public Optional<Magic> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Magic> all() {
        return List.copyOf(byName.values());
    }

    /** "%help, %qformer, ..., %%config". */
    public String names() {
        List<String> names = new ArrayList<>();
        for (Magic m : byName.values()) {
            names.add((m.spec().cell() ? "%%" : "%") + m.spec().name());
        }
        return String.join(", ", names);
    }
}
