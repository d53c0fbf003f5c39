package org.commvq.tornado.plan;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Host memory for the arrays that plans put on the device, recycled instead of freed.
 * <p>TornadoVM 5.2's PTX backend pins each array's host memory (cuMemHostRegister) and does not always unpin it when
 * a plan is closed. Host memory freed while still pinned and then handed to a new array makes CUDA refuse that
 * array's copies while a CUDA graph is recorded (CUDA_ERROR_INVALID_VALUE). TornadoVM only prints that error; the
 * graph then runs without the copies, on stale positions and activations, and gives wrong logits with exit code 0.
 * That happened once several plans had run in one JVM (issue 6). So memory that a plan has used is never freed: a
 * closed plan gives its segments back here, and later plans reuse those of the same size, zeroed. A JVM that runs
 * one model keeps one model's worth of host memory, as it did before; one that switches models keeps the segments of
 * each size it has seen.
 * <p>Every segment starts on a page of its own and owns its last page, so no two arrays share a pinned page.
 */
public final class HostArrayPool {
    /** The host page size of x86-64 and arm64 Linux; larger pages are multiples of it. */
    private static final long PAGE = 4096;
    private static final Map<Long, Deque<MemorySegment>> FREE = new HashMap<>();

    private HostArrayPool() {
    }

    /** A zeroed segment of exactly {@code bytes}, given back before or newly allocated. */
    static MemorySegment take(long bytes) {
        synchronized (FREE) {
            Deque<MemorySegment> free = FREE.get(bytes);
            if (free != null && !free.isEmpty()) {
                return free.pop().fill((byte) 0);
            }
        }
        return Arena.ofAuto().allocate((bytes + PAGE - 1) / PAGE * PAGE, PAGE).asSlice(0, bytes);
    }

    /** Segments of a closed plan: TornadoVM may still have them pinned, so they are kept for reuse. */
    static void giveBack(Collection<MemorySegment> segments) {
        synchronized (FREE) {
            for (MemorySegment s : segments) {
                FREE.computeIfAbsent(s.byteSize(), b -> new ArrayDeque<>()).push(s);
            }
        }
    }

    /** Segments waiting for reuse, for tests. */
    static int waiting(long bytes) {
        synchronized (FREE) {
            Deque<MemorySegment> free = FREE.get(bytes);
            return free == null ? 0 : free.size();
        }
    }
}
