package org.qformerlab.kernel.jshell;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The one thread on which a notebook's code runs: JShell snippets and magics alike.
 *
 * <p>One long-lived thread matters for DJL: PyTorch keeps grad mode per thread, so every cell must
 * see the same thread state. The kernel's message thread waits for the cell; an interrupt request
 * from Jupyter arrives on another thread and calls {@link #stop()}.
 *
 * <p>Stopping is cooperative first ({@link Thread#interrupt()} ends sleeps, waits and loops that
 * check the flag), then forced after a grace period: on Java 17 {@link Thread#stop()} still ends a
 * busy loop (JShell's own local execution does the same). Native code (a DJL operator) is not
 * stoppable; the cell ends when it returns to Java.
 */
public final class CellThread implements AutoCloseable {

    private static final long GRACE_MILLIS = 1000;

    private final ExecutorService executor =
            Executors.newSingleThreadExecutor(
                    r -> {
                        Thread t = new Thread(r, "qformerlab-cell");
                        t.setDaemon(true);
                        return t;
                    });
    private static final ThreadLocal<CellThread> CURRENT = new ThreadLocal<>();

    private volatile Thread running;
    private volatile boolean stopRequested;
    private volatile boolean cooperative;

    /**
     * Declares that the running cell stops by itself at safe points (a training loop at its step
     * boundaries, which then writes a checkpoint): a first stop only asks ({@link #stopAsked()}), a
     * second one interrupts and forces as for any cell. Called on the cell thread; elsewhere a no-op.
     */
    public static void cooperate(boolean stopsBySelf) {
        CellThread c = CURRENT.get();
        if (c != null) {
            c.cooperative = stopsBySelf;
        }
    }

    /**
     * A stop signal of the cell running on this thread that any thread may poll (a study's worker
     * threads); off the cell thread, never.
     */
    public static java.util.function.BooleanSupplier stopSignal() {
        CellThread c = CURRENT.get();
        return c == null ? () -> false : () -> c.stopRequested;
    }

    /** Whether a stop was asked of the cell running on this thread (false off the cell thread). */
    public static boolean stopAsked() {
        CellThread c = CURRENT.get();
        return c != null && c.stopRequested;
    }

    /**
     * Runs {@code task} on the cell thread and waits for it.
     *
     * @throws CellInterruptedException if {@link #stop()} ended it
     * @throws Exception whatever the task threw
     */
    public <T> T run(Callable<T> task) throws Exception {
        if (Thread.currentThread() == running) {
            return task.call(); // already on the cell thread (a magic evaluating Java): run inline
        }
        stopRequested = false;
        cooperative = false;
        Future<T> future =
                executor.submit(
                        () -> {
                            running = Thread.currentThread();
                            CURRENT.set(this);
                            try {
                                return task.call();
                            } finally {
                                running = null;
                                cooperative = false;
                                Thread.interrupted(); // a late interrupt must not leak into the next cell
                            }
                        });
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (stopRequested && isStopSignal(cause)) {
                throw new CellInterruptedException();
            }
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof ThreadDeath) {
                throw new CellInterruptedException();
            }
            throw new UserCodeException(cause);
        } finally {
            stopRequested = false;
        }
    }

    /** Whether a cell is running now. */
    public boolean isBusy() {
        return running != null;
    }

    /** Whether the running cell was asked to stop (user code may poll this besides the interrupt flag). */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** Asks the running cell to stop; forces it after a grace period. Safe to call from any thread. */
    public void stop() {
        Thread t = running;
        if (t == null) {
            return;
        }
        if (cooperative && !stopRequested) {
            stopRequested = true; // the cell stops at its next safe point; a second stop forces it
            return;
        }
        stopRequested = true;
        t.interrupt();
        Thread enforcer =
                new Thread(
                        () -> {
                            try {
                                TimeUnit.MILLISECONDS.sleep(GRACE_MILLIS);
                            } catch (InterruptedException e) {
                                return;
                            }
                            if (running == t && stopRequested) {
                                forceStop(t);
                            }
                        },
                        "qformerlab-cell-stop");
        enforcer.setDaemon(true);
        enforcer.start();
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void forceStop(Thread t) {
        try {
            t.stop();
        } catch (UnsupportedOperationException e) {
            // Java 20+: Thread.stop is gone; only cooperative interruption remains.
        }
    }

    private static boolean isStopSignal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException || c instanceof ThreadDeath
                    || c instanceof CellInterruptedException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    @Override
    public void close() {
        stop();
        executor.shutdownNow();
    }
}
