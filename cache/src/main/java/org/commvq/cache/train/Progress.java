package org.commvq.cache.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar with an ETA for long collection and training runs. On a terminal it redraws its line at most five
 * times a second; since the launcher passes stderr through a line filter, every redraw is a whole line that first
 * moves the cursor up over the previous one. Elsewhere (logs, CI) it prints a plain line every tenth.
 * A run that resumes counts the work it skips as done, and the ETA is taken over the work done in this run only.
 */
public final class Progress implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;
    private long skipped;
    private long lastDraw;
    private int lastTenth;
    private boolean drawn;

    public Progress(PrintWriter out, String label, long total) {
        this(out, label, total, System.console() != null && System.console().isTerminal()
                && !"dumb".equals(System.getenv("TERM")));
    }

    Progress(PrintWriter out, String label, long total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = Math.max(1, total);
        this.terminal = terminal;
    }

    /** A progress that prints nothing, for tests and library callers. */
    public static Progress silent() {
        return new Progress(null, "", 1, false);
    }

    /** Work that a resumed run does not need to redo. */
    public synchronized void skip(long n) {
        skipped += n;
        done = Math.min(total, done + n);
        show();
    }

    public synchronized void advance(long n) {
        done = Math.min(total, done + n);
        show();
    }

    /** A line of its own (a per-layer result, say), printed above a terminal bar. */
    public synchronized void note(String text) {
        if (out == null) {
            return;
        }
        if (terminal && drawn) {
            out.print("\033[1A\r\033[2K" + text + "\n");
            drawn = false;
            draw(System.nanoTime());
        } else {
            out.println(text);
        }
    }

    private void show() {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (terminal) {
            if (now - lastDraw >= REDRAW_NANOS || done == total) {
                draw(now);
            }
        } else {
            int tenth = (int) (10 * done / total);
            if (tenth > lastTenth) {
                lastTenth = tenth;
                out.println(line(now));
            }
        }
    }

    private void draw(long now) {
        out.print((drawn ? "\033[1A\r\033[2K" : "") + line(now) + "\n");
        out.flush();
        drawn = true;
        lastDraw = now;
    }

    String line(long now) {
        double seconds = (now - start) / 1e9;
        int filled = (int) (WIDTH * done / total);
        long worked = done - skipped;
        String eta = worked <= 0 || done == total ? "" : String.format(Locale.ROOT, ", ~%s left",
                duration(seconds * (total - done) / worked));
        return String.format(Locale.ROOT, "%s [%s%s] %d/%d (%.0f%%) %s%s", label, "#".repeat(filled),
                " ".repeat(WIDTH - filled), done, total, 100.0 * done / total, duration(seconds), eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? String.format(Locale.ROOT, "%d:%02d min", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d h", s / 3600, (s / 60) % 60);
    }

    /** Leaves a terminal bar showing where the run ended. */
    @Override
    public synchronized void close() {
        if (out != null && terminal) {
            draw(System.nanoTime());
        }
    }
}
