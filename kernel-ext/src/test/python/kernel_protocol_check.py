"""Talks to the QFormer Lab kernel through Jupyter's own client, as a notebook frontend would.

Run by KernelProtocolIT with JUPYTER_PATH pointing at a temporary kernel spec. Prints one line per
check, "PASS <name>" or "FAIL <name>: <why>", and exits 0 only if every check passed.

With QFL_CHECKS set (comma-separated words), only the checks whose names contain one of the words
run: a developer's shortcut to the check at hand; the test suite runs them all.
"""
import glob
import os
import sys
import tempfile
import time
import traceback

from jupyter_client.manager import start_new_kernel

KERNEL = sys.argv[1] if len(sys.argv) > 1 else "qformerlab"
ONLY = [w for w in os.environ.get("QFL_CHECKS", "").split(",") if w]
results = []


def run(kc, code, timeout=120):
    """Executes code; returns (reply content, list of iopub messages of this execution)."""
    msgs = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append, store_history=False)
    return reply["content"], msgs


def outputs(msgs, kind):
    return [m["content"] for m in msgs if m["msg_type"] == kind]


def check(name):
    def wrap(fn):
        if ONLY and not any(w in name for w in ONLY):
            return fn
        try:
            fn()
            results.append((name, None))
        except Exception as e:  # noqa: BLE001 - every failure becomes a FAIL line
            results.append((name, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc())))
        return fn
    return wrap


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def interrupt_once(msg_id, timeout=120):
    """Sends one interrupt_request (the spec's interrupt_mode is "message") while the cell msg_id runs;
    returns its execute_reply content (None if none came) and the text it printed from then on."""
    km.interrupt_kernel()
    reply = None
    streams = []
    deadline = time.time() + timeout
    while reply is None and time.time() < deadline:
        try:
            m = kc.get_iopub_msg(timeout=1)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
                streams.append(m["content"]["text"])
        except Exception:  # queue.Empty
            pass
        try:
            m = kc.get_shell_msg(timeout=0.1)
            if m["parent_header"].get("msg_id") == msg_id:
                reply = m["content"]
        except Exception:
            pass
    time.sleep(0.5)
    while True:  # the last stream messages of the cell
        try:
            m = kc.get_iopub_msg(timeout=0.5)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
                streams.append(m["content"]["text"])
        except Exception:
            break
    return reply, "".join(streams)


km, kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120)
try:
    @check("kernel_info names Java")
    def _():
        kc.kernel_info()
        info = kc.get_shell_msg(timeout=30)["content"]
        expect(info["language_info"]["name"] == "java", info)

    @check("execute returns the last expression's value")
    def _():
        reply, msgs = run(kc, "int half = 21;\nhalf * 2")
        expect(reply["status"] == "ok", reply)
        results_ = outputs(msgs, "execute_result")
        expect(results_ and results_[0]["data"]["text/plain"] == "42", results_)

    @check("printing goes to stdout")
    def _():
        reply, msgs = run(kc, 'System.out.println("hello from java");')
        streams = "".join(c["text"] for c in outputs(msgs, "stream") if c["name"] == "stdout")
        expect("hello from java" in streams, streams)

    @check("compile error shows the line and a caret, not a kernel trace")
    def _():
        reply, msgs = run(kc, 'int y = "text";')
        expect(reply["status"] == "error", reply)
        err = outputs(msgs, "error")[0]
        expect(err["ename"] == "CompileError", err)
        tb = "\n".join(err["traceback"])
        expect('line 1: int y = "text";' in tb and "^" in tb, tb)
        expect("org.qformerlab.kernel" not in tb and "org.dflib" not in tb, tb)

    @check("exception shows as ExceptionClass: message and the kernel survives")
    def _():
        reply, msgs = run(kc, 'throw new IllegalStateException("boom");')
        expect(reply["status"] == "error", reply)
        err = outputs(msgs, "error")[0]
        expect(err["ename"] == "java.lang.IllegalStateException", err)
        expect(err["traceback"][0] == "java.lang.IllegalStateException: boom", err["traceback"])
        expect(not any("org.dflib" in l or "org.qformerlab.kernel" in l for l in err["traceback"]), err["traceback"])
        reply, msgs = run(kc, "half + 1")
        expect(reply["status"] == "ok", reply)
        expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "22", msgs)

    @check("completion finds a project class")
    def _():
        code = "Blip2QF"
        kc.complete(code, len(code))
        content = kc.get_shell_msg(timeout=60)["content"]
        expect(content["status"] == "ok", content)
        expect("Blip2QFormer" in content["matches"], content)
        expect(content["cursor_start"] == 0 and content["cursor_end"] == len(code), content)

    @check("completion finds a magic")
    def _():
        kc.complete("%mas", 4)
        content = kc.get_shell_msg(timeout=60)["content"]
        expect(content["matches"] == ["masks"], content)

    @check("interrupt stops a long cell and the kernel goes on")
    def _():
        for code in ("Thread.sleep(120_000);", "long spins = 0;\nwhile (true) { spins++; }"):
            # Interrupt only once the cell runs (compiling it may take a while on a busy machine).
            msg_id = kc.execute('System.out.println("started");\n' + code)
            started = False
            deadline = time.time() + 120
            while not started and time.time() < deadline:
                m = kc.get_iopub_msg(timeout=120)
                started = (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream"
                           and "started" in m["content"]["text"])
            expect(started, "the long cell never started")
            # Interrupt until the reply comes: an interrupt while the kernel still compiles the
            # long snippet finds nothing running yet.
            reply = None
            deadline = time.time() + 90
            while reply is None and time.time() < deadline:
                km.interrupt_kernel()
                try:
                    m = kc.get_shell_msg(timeout=1)
                except Exception:  # queue.Empty: still running
                    continue
                if m["parent_header"].get("msg_id") == msg_id:
                    reply = m["content"]
            time.sleep(0.5)  # let a last interrupt request land while nothing runs
            expect(reply is not None, "no reply after interrupt")
            expect(reply["status"] == "error" and reply["ename"] == "Interrupted", reply)
            r2, msgs = run(kc, '"alive"')
            expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "alive", msgs)

    @check("a magic shows a table as text/html and masks as image/png")
    def _():
        reply, msgs = run(kc, "%qformer tiny\n%masks --queries 2 --text 3")
        expect(reply["status"] == "ok", reply)
        data = [c["data"] for c in outputs(msgs, "display_data")]
        expect(any("text/html" in d and "<table" in d["text/html"] for d in data), data)
        pngs = [d for d in data if "image/png" in d]
        expect(len(pngs) == 3, "three mask heatmaps, got %d" % len(pngs))
        reply, msgs = run(kc, "qformer.config().numQueries()")
        expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "4", msgs)

    @check("a chart value is image/png and a bad magic call is a usage error")
    def _():
        reply, msgs = run(kc, 'Charts.lossCurves("demo", Map.of("itc", new double[][] {{0, 1, 2}, {3, 2, 1.5}}))')
        expect("image/png" in outputs(msgs, "execute_result")[0]["data"], msgs)
        reply, msgs = run(kc, 'displayAs(Charts.lossCurves("demo", Map.of("itc", new double[][] {{0, 1}, {3, 2}})), "image/svg+xml");')
        svg = outputs(msgs, "display_data")[0]["data"]
        expect("<svg" in svg.get("image/svg+xml", ""), svg.keys())
        reply, msgs = run(kc, "%qformer tiny --queries many")
        err = outputs(msgs, "error")[0]
        expect(err["ename"] == "UsageError" and err["traceback"][1].startswith("usage: %qformer"), err)

    @check("display ids update in place")
    def _():
        reply, msgs = run(kc, 'String id = display("step 1");\nupdateDisplay(id, "step 2");')
        shown = outputs(msgs, "display_data")
        updated = outputs(msgs, "update_display_data")
        expect(shown and updated, msgs)
        expect(shown[0]["transient"]["display_id"] == updated[0]["transient"]["display_id"], (shown, updated))
        expect(updated[0]["data"]["text/plain"] == "step 2", updated)
    @check("%maven adds a jar from the local repository; bad coordinates are one line")
    def _():
        reply, msgs = run(kc, "%maven org.apache.commons:commons-text:1.12.0 --offline")
        expect(reply["status"] == "ok", reply)
        text = "".join(c["text"] for c in outputs(msgs, "stream"))
        expect("commons-text-1.12.0.jar" in text, text)
        reply, msgs = run(kc, 'org.apache.commons.text.WordUtils.capitalize("stop keeps the work")')
        expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "Stop Keeps The Work", msgs)
        reply, msgs = run(kc, "%maven commons-text")
        err = outputs(msgs, "error")[0]
        expect(err["traceback"] == ["%maven: bad coordinates 'commons-text': write GROUP:ARTIFACT:VERSION,"
                                    " e.g. org.apache.commons:commons-text:1.12.0"], err)

    @check("%time and %%time print wall and CPU; %classpath and %load name a missing path")
    def _():
        reply, msgs = run(kc, "%time 6 * 7")
        text = "".join(c["text"] for c in outputs(msgs, "stream"))
        expect(text.startswith("time: wall ") and ", cpu " in text, text)
        expect(outputs(msgs, "display_data")[0]["data"]["text/plain"] == "42", msgs)
        reply, msgs = run(kc, "%%time\nint timed = 5;")
        expect(reply["status"] == "ok", reply)
        for call in ("%classpath /no/such.jar", "%load /no/such.jsh"):
            reply, msgs = run(kc, call)
            err = outputs(msgs, "error")[0]
            expect(err["ename"] == "UsageError" and "/no/such" in err["evalue"], err)

    @check("%bench shows a table and plots; a bad size is a usage error")
    def _():
        reply, msgs = run(kc, "%bench --only stage1-step --queries 4,8 --matmul 64", timeout=300)
        expect(reply["status"] == "ok", reply)
        data = [c["data"] for c in outputs(msgs, "display_data")]
        expect(any("<table" in d.get("text/html", "") and "queries=8" in d["text/html"] for d in data), data)
        expect(sum(1 for d in data if "image/png" in d) >= 2, "a phase plot and a roofline plot")
        reply, msgs = run(kc, "%bench --queries many")
        err = outputs(msgs, "error")[0]
        expect(err["ename"] == "UsageError" and "--queries wants whole numbers" in err["evalue"], err)

    @check("completion offers a magic's options")
    def _():
        code = "%bench --que"
        kc.complete(code, len(code))
        content = kc.get_shell_msg(timeout=60)["content"]
        expect(content["matches"] == ["--queries"], content)

    @check("interrupt_request during %train stops at a step boundary, keeps a checkpoint, binds the run")
    def _():
        reply, msgs = run(kc, "%%config experiment --preset tiny\n")
        expect(reply["status"] == "ok", reply)
        # a long run: QFORMERLAB_QUICK=1 would cut it to a few steps
        msg_id = kc.execute('System.setProperty("qformerlab.quick", "0");\n'
                            "%train stage1 --steps 400 --out runs/tests/interrupted --as partial")
        stepping = False
        deadline = time.time() + 240
        while not stepping and time.time() < deadline:
            m = kc.get_iopub_msg(timeout=240)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] in ("display_data", "update_display_data"):
                plain = m["content"]["data"].get("text/plain", "")
                stepping = "stage 1" in plain and "/400" in plain and " 0/400" not in plain
        expect(stepping, "training never reached a step")
        reply, text = interrupt_once(msg_id)
        expect(reply is not None, "no reply after the interrupt")
        expect(reply["status"] == "ok", reply)
        expect("stopped at step " in text and "resume with: %train stage1 --resume " in text, text)
        reply, msgs = run(kc, "partial.step() > 0 && partial.step() < 400 && Files.isDirectory(partial.checkpoint())")
        expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "true", msgs)
        reply, msgs = run(kc, 'System.clearProperty("qformerlab.quick");\n"still alive"')
        expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "still alive", msgs)
    @check("interrupt_request during %ablate stops the training run at a step boundary and keeps the work")
    def _():
        spec = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "studies",
                                             "tiny-stop.yaml"))  # two runs of 40 quick steps
        study = os.path.join(tempfile.mkdtemp(prefix="qfl-ablate-stop-"), "study")

        def runs(done):
            """Run folders with a result (done=True), or training without one (done=False)."""
            out = []
            for run in glob.glob(os.path.join(study, "runs", "*")):
                has_result = os.path.exists(os.path.join(run, "result.json"))
                metrics = os.path.join(run, "metrics.jsonl")
                training = os.path.exists(metrics) and os.path.getsize(metrics) > 0
                if (done and has_result) or (not done and not has_result and training):
                    out.append(run)
            return out

        # the spec's quick section (40 steps a run), not QFORMERLAB_QUICK's few steps
        call = "%ablate " + spec + " --quick --out " + study
        msg_id = kc.execute('System.setProperty("qformerlab.quick", "0");\n' + call)
        deadline = time.time() + 240
        while not (len(runs(True)) == 1 and len(runs(False)) == 1) and time.time() < deadline:
            time.sleep(0.02)
        expect(len(runs(True)) == 1 and len(runs(False)) == 1, "the second run never started training")
        reply, text = interrupt_once(msg_id)  # the training run stops at its next step boundary
        expect(reply is not None, "no reply after the interrupt")
        expect(reply["status"] == "ok", reply)
        finished = runs(True)
        expect(len(finished) == 1, "the finished run is kept: %s\n%s" % (finished, text))
        partial = [r for r in glob.glob(os.path.join(study, "runs", "*")) if r not in finished]
        expect(len(partial) == 1, partial)
        steps = [int(os.path.basename(c)[5:]) for c in glob.glob(os.path.join(partial[0], "checkpoints", "step-*"))]
        expect(steps and 1 <= max(steps) < 40, "the stopped run has a checkpoint between steps: %s" % steps)
        expect("stopped at step %d/40 of the run %s" % (max(steps), os.path.basename(partial[0])) in text, text)
        expect(call + " resumes the study: finished runs are skipped, the stopped run continues from its checkpoint"
               in text, text)
        reply, msgs = run(kc, 'System.clearProperty("qformerlab.quick");\n"still alive"')
        expect(outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "still alive", msgs)
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)

failed = 0
for name, why in results:
    if why is None:
        print("PASS " + name)
    else:
        failed += 1
        print("FAIL " + name + ": " + why.replace("\n", "\n    "))
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.stdout.flush()
os._exit(1 if failed else 0)  # skip interpreter teardown (jupyter_client warns in __del__)
