package org.qformerlab.kernel.magic;

import java.util.List;

/** {@code %help [magic]}: lists the magics, or explains one. */
public final class HelpMagic implements Magic {

    private final Magics magics;

    private static final MagicSpec SPEC = new MagicSpec(
            "help", false, "[magic]",
            "list the magics, or explain one (%help qformer)",
            "Without an argument, lists every magic with one line each and the Java helpers a cell can"
                    + " call. With a magic's name, prints its usage, options and examples.",
            List.of(), List.of("%help", "%help masks"));

    static final String JAVA_HELP = """

            In Java cells (imported for you):
              display(x)                   show x richly: charts as PNG, tables as HTML, masks as heatmaps
              displayAs(chart, "image/svg+xml")   choose the form (a chart as SVG)
              String id = display(x); updateDisplay(id, y)   replace an output in place
              ProgressDisplay.start(label, total) / .update(done, msg) / .finish(msg)   a progress bar
              LivePlot.start(title) / .add(series, step, value) / .finish()            a live loss plot
              TrainingDisplay.start(title)   a Trainer listener: progress bar + live loss plot
              quick()                        true under QFORMERLAB_QUICK=1 (how the tests run notebooks)
            The value of a cell's last expression is displayed the same way.""";

    public HelpMagic(Magics magics) {
        this.magics = magics;
    }

    @Override
    public MagicSpec spec() {
        return SPEC;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        args.atMostPositionals(1);
        String name = args.positional(0, null);
        if (name == null) {
            StringBuilder sb = new StringBuilder("QFormer Lab magics (%help NAME for one):\n");
            int width = magics.all().stream().mapToInt(m -> m.spec().name().length() + 2).max().orElse(0);
            for (Magic m : magics.all()) {
                String call = (m.spec().cell() ? "%%" : "%") + m.spec().name();
                sb.append(String.format("  %-" + width + "s  %s%n", call, m.spec().summary()));
            }
            context.println(sb.append(JAVA_HELP).toString());
            return;
        }
        String bare = name.replaceFirst("^%+", "");
        Magic magic = magics.get(bare).orElseThrow(() -> new MagicUsageException(SPEC,
                "no magic called '" + name + "'; magics: " + magics.names()));
        context.println(magic.spec().help());
    }
}
