package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.ablations.StudyStoppedException;
import org.qformerlab.blip2.train.TrainingStoppedException;

/** What a stopped %ablate prints: where it stopped, what is kept, and the call that resumes (same study, options, folder). */
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

    @Test
    void aStoppedStudySaysWhereItStoppedWhatIsKeptAndHowToGoOn() {
        Path folder = Path.of("runs/x");
        assertEquals("stopped at a run boundary: 2 finished runs are kept in runs/x; %ablate s --out runs/x resumes the"
                        + " study (finished runs are skipped)",
                AblateMagic.stopped(new StudyStoppedException(2, 4, folder), "%ablate s --out runs/x"));
        Path run = folder.resolve("runs/itgWeight-1-seed0");
        TrainingStoppedException inRun = new TrainingStoppedException(7, 40, run, run.resolve("checkpoints/step-000007"));
        assertEquals("stopped at step 7/40 of the run itgWeight-1-seed0 (checkpoint"
                        + " runs/x/runs/itgWeight-1-seed0/checkpoints/step-000007); 1 finished run is kept in runs/x\n"
                        + "%ablate s --out runs/x resumes the study: finished runs are skipped, the stopped run continues"
                        + " from its checkpoint",
                AblateMagic.stopped(new StudyStoppedException(1, 2, folder, "itgWeight-1-seed0", inRun),
                        "%ablate s --out runs/x"));
    }
}
