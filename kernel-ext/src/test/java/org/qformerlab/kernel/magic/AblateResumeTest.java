package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a stopped %ablate prints to resume: the same study, options and folder. */
class AblateResumeTest {

    @Test
    void theResumeCallKeepsTheStudyItsOptionsAndItsFolder() {
        AblateMagic ablate = new AblateMagic();
        MagicArgs args = ablate.parse(List.of("itg-helps-retrieval", "--quick", "--set", "train.steps=40",
                "--set", "seeds=2"));
        assertEquals("%ablate itg-helps-retrieval --quick --set train.steps=40 --set seeds=2 --out runs/x",
                AblateMagic.resumeCall("itg-helps-retrieval", args, Path.of("runs/x")));
        assertEquals("%ablate itc-mask --out /tmp/s",
                AblateMagic.resumeCall("itc-mask", ablate.parse(List.of("itc-mask")), Path.of("/tmp/s")));
    }
}
