package org.commvq.cache.fuzz;

import java.io.IOException;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.pt.PickleException;
import org.commvq.cache.io.TensorFileException;

/**
 * What a reader may do with a hostile input: succeed, or throw one of its own exception types with a message. Never
 * an Error (OutOfMemoryError, StackOverflowError), never a raw runtime exception (NegativeArraySize, IndexOutOfBounds,
 * ClassCast, NullPointer, Arithmetic), also not one hidden as the cause of a clean exception the way a catch-all net
 * would hide it, and never an allocation out of proportion to the input (not counted for a call that loads classes:
 * loading and instrumenting them allocates on the caller's thread). A clean exception may wrap another clean
 * one (a codebook error around a safetensors error), an I/O error, or a validation's IllegalArgumentException.
 * Readers of other modules (model's GGUF reader) name their own exception type in {@code allowed}, which then
 * passes as a cause too.
 */
public final class ReaderContract {
    /** Heap one input byte may cost: strings widen, array elements become objects, error messages name them. */
    private static final long BYTES_PER_INPUT_BYTE = 128;
    /** Buffers of the JDK and of Jackson that any read may take. */
    private static final long SLACK = 16L << 20;
    private static final Class<?>[] CLEAN = {IOException.class, IllegalArgumentException.class,
            TensorFileException.class, PickleException.class, CodebookException.class};
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();

    private ReaderContract() {
    }

    @SafeVarargs
    public static void check(long inputBytes, Runnable read, Class<? extends RuntimeException>... allowed) {
        long classes = CLASSES.getTotalLoadedClassCount();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
            read.run();
        } catch (RuntimeException e) {
            requireClean(e, allowed);
        }
        long used = THREADS.getCurrentThreadAllocatedBytes() - before;
        boolean loadedClasses = CLASSES.getTotalLoadedClassCount() != classes;
        if (!loadedClasses && used > BYTES_PER_INPUT_BYTE * inputBytes + SLACK) {
            throw new AssertionError("allocated " + used + " bytes of heap for an input of " + inputBytes + " bytes");
        }
    }

    /** A refusal must be one of the allowed types, carry a message, and hide no raw exception as its cause. */
    public static void requireClean(RuntimeException e, Class<?>... allowed) {
        if (!isAny(e, allowed)) {
            throw new AssertionError("raw " + e.getClass().getName() + " escaped, expected one of "
                    + Arrays.toString(allowed), e);
        }
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError(e.getClass().getName() + " without a message", e);
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (!isAny(c, allowed) && !isAny(c, CLEAN)) {
                throw new AssertionError("clean exception hides " + c.getClass().getName() + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean isAny(Throwable t, Class<?>[] types) {
        for (Class<?> c : types) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
