package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.kernel.display.DisplaySink;

/** A magic call's bindings and variable managers take effect when it succeeds, and only then. */
class MagicCallTest {

    @Test
    void aSucceedingCallHandsOverItsBindingsInOrderAndItsManagersReplaceTheVariablesOldOnes() {
        try (VariableManagers managers = new VariableManagers()) {
            MagicCall first = new MagicCall(DisplaySink.STDOUT, new MagicState(), managers, null);
            NDArray old = first.newVariableManager("q").create(new float[] {1, 2});
            first.bind("q", "float[]", new float[] {1, 2});
            first.commit();

            MagicCall second = new MagicCall(DisplaySink.STDOUT, new MagicState(), managers, null);
            NDManager replaced = second.newVariableManager("q");
            NDArray kept = replaced.create(new float[] {3});
            second.bind("q", String.class, "three");
            second.bind("n", "int", 3);
            assertFalse(old.isReleased(), "nothing changes before the call succeeds");
            List<MagicCall.Binding> bound = second.commit();

            assertEquals(List.of("q", "n"), bound.stream().map(MagicCall.Binding::name).toList());
            assertEquals(new MagicCall.Binding("q", "java.lang.String", "three"), bound.get(0));
            assertTrue(old.isReleased(), "rebinding q closed its earlier manager");
            assertFalse(kept.isReleased(), "the new one lives on");
        }
    }

    @Test
    void aFailingCallBindsNothingAndClosesWhatItOpened() {
        try (VariableManagers managers = new VariableManagers()) {
            MagicCall call = new MagicCall(DisplaySink.STDOUT, new MagicState(), managers, null);
            NDArray a = call.newVariableManager("model").create(new float[] {1});
            call.bind("model", "float[]", new float[] {1});
            call.abandon();
            assertTrue(a.isReleased());
            assertTrue(call.commit().isEmpty(), "nothing is left to bind");
        }
    }

    @Test
    void withoutANotebookShellTheMagicsThatNeedOneAreRefused() {
        MagicCall call = new MagicCall(DisplaySink.STDOUT, new MagicState(), new VariableManagers(), null);
        assertThrows(UnsupportedOperationException.class, call::shell);
    }
}
