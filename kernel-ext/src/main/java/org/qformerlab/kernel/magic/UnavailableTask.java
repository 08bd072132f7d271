package org.qformerlab.kernel.magic;

/**
 * A task this build does not have yet ({@code %train stage2}, {@code %eval caption}): listed by
 * {@code %help} and answered with one plain line, never a stack trace.
 */
public record UnavailableTask(String name, String summary, String why) implements MagicTask {

    @Override
    public void run(MagicArgs args, MagicContext context) {
        context.println("%" + args.spec().name() + " " + name + ": not in this build yet (" + why + ").");
    }
}
