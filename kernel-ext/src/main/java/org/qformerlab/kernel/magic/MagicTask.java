package org.qformerlab.kernel.magic;

/**
 * One thing a dispatching magic does, chosen by the call's first word: {@code %train stage1},
 * {@code %eval caption}. Each kind (stage-2 training, captioning) is one class implementing this,
 * listed where the magic is built ({@link TrainMagic#standard()}, {@link EvalMagic#standard()}).
 */
public interface MagicTask {

    /** The word that selects the task ({@code stage1}). */
    String name();

    /** One line for {@code %help}. */
    String summary();

    /**
     * Runs the task.
     *
     * @param args the whole call; positional 0 is the task's name
     */
    void run(MagicArgs args, MagicContext context) throws Exception;
}
