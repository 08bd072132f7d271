package org.qformerlab.kernel.magic;

/**
 * A task announced before it is built (as {@code %train stage2} was until stage 2 landed): listed by
 * {@code %help} and answered with one plain line, never a stack trace. No standard magic uses one now.
 */
public record UnavailableTask(String name, String summary, String why) implements MagicTask {

    @Override
    public void run(MagicArgs args, MagicContext context) {
        context.println("%" + args.spec().name() + " " + name + ": not in this build yet (" + why + ").");
    }
}
