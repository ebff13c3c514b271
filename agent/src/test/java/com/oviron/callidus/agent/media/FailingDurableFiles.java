package com.oviron.callidus.agent.media;

import com.oviron.callidus.store.folders.ConfinedFolder;
import java.io.IOException;
import java.io.InputStream;

/**
 * Real file steps that fail at the n-th step: with an IOException (a disk error the code handles) or with a
 * {@link SimulatedCrash} that nothing catches, so the steps after it never run, as if the process died there.
 */
final class FailingDurableFiles implements DurableFiles {
    /** The process "died" here. */
    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String step) {
            super("simulated crash at " + step);
        }
    }

    private final int failAt;
    private final boolean crash;
    private final int alsoFailAfter;
    private int steps;
    private boolean armed;

    /** @param failAt the step (1-based) that fails; 0 never fails */
    FailingDurableFiles(int failAt, boolean crash) {
        this(failAt, crash, 0);
    }

    /**
     * @param alsoFailAfter when positive, the step this many steps after {@code failAt} fails too (with an
     *                      IOException): a cleanup that fails halfway
     */
    FailingDurableFiles(int failAt, boolean crash, int alsoFailAfter) {
        this.failAt = failAt;
        this.crash = crash;
        this.alsoFailAfter = alsoFailAfter;
    }

    /** Steps are counted (and the failure comes) only from now on. */
    FailingDurableFiles arm() {
        armed = true;
        return this;
    }

    int steps() {
        return steps;
    }

    boolean failed() {
        return failAt > 0 && steps >= failAt;
    }

    private void step(String what) throws IOException {
        if (!armed) {
            return;
        }
        steps++;
        if (steps == failAt) {
            if (crash) {
                throw new SimulatedCrash(what);
            }
            throw new IOException("simulated disk error at " + what);
        }
        if (alsoFailAfter > 0 && failAt > 0 && steps == failAt + alsoFailAfter) {
            throw new IOException("simulated second disk error at " + what);
        }
    }

    @Override
    public void writeNew(ConfinedFolder folder, String target, InputStream content) throws IOException {
        if (armed && steps + 1 == failAt) {
            // die halfway through the write: a partial temp file is left behind
            steps++;
            byte[] half = content.readNBytes(Math.max(1, content.available() / 2));
            LOCAL.writeNew(folder, target, new java.io.ByteArrayInputStream(half));
            if (crash) {
                throw new SimulatedCrash("writeNew " + target);
            }
            throw new IOException("simulated disk error at writeNew " + target);
        }
        step("writeNew " + target);
        LOCAL.writeNew(folder, target, content);
    }

    @Override
    public void rename(ConfinedFolder folder, String source, String target) throws IOException {
        step("rename " + source + " -> " + target);
        LOCAL.rename(folder, source, target);
    }

    @Override
    public void syncFolder(ConfinedFolder folder) throws IOException {
        step("syncFolder " + folder.label());
        LOCAL.syncFolder(folder);
    }

    @Override
    public void deleteIfExists(ConfinedFolder folder, String file) throws IOException {
        step("delete " + file);
        LOCAL.deleteIfExists(folder, file);
    }
}
