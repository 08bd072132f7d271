package org.qformerlab.kernel.magic;

import java.util.List;

/**
 * A magic whose feature is not in this build yet ({@code %train}, {@code %eval}, {@code %ablate}):
 * registered so that {@code %help} lists it and a call says so plainly instead of "unknown magic".
 * A module that implements the real one registers it under the same name (see {@link Magics}).
 */
public final class PendingMagic implements Magic {

    private final MagicSpec spec;

    public PendingMagic(String name, String summary) {
        this.spec = new MagicSpec(name, false, "...", summary + " (not available yet in this build)",
                summary + ". Not available yet in this build: it arrives with the stage-1 experiment.",
                List.of(), List.of());
    }

    @Override
    public MagicSpec spec() {
        return spec;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) {
        context.println("%" + spec.name() + " is not available yet in this build (it arrives with the stage-1"
                + " experiment). See %help for what is.");
    }

    /** Accepts any words: the "not available" message is all a caller should see. */
    @Override
    public MagicArgs parse(List<String> words) {
        return MagicArgs.raw(spec, words);
    }
}
