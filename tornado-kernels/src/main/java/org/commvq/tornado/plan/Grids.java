package org.commvq.tornado.plan;

import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;

import org.commvq.tornado.kernels.GroupReduce;

/** The launch shapes the kernels expect, so no caller works out global and local sizes by hand. */
public final class Grids {
    private Grids() {
    }

    /** One work-group per row or head: matrix-vector products, attention. */
    public static WorkerGrid perGroup(int groups, int groupSize) {
        return grid((long) groups * checkedGroup(groupSize), groupSize);
    }

    /** One thread per element, rounded up to whole groups: element-wise kernels, RoPE, cache appends. */
    public static WorkerGrid perElement(int elements, int groupSize) {
        long groups = (elements + (long) checkedGroup(groupSize) - 1) / groupSize;
        return grid(groups * groupSize, groupSize);
    }

    /** A single work-group: reductions over one vector (RMSNorm, softmax). */
    public static WorkerGrid single(int groupSize) {
        return grid(checkedGroup(groupSize), groupSize);
    }

    /** Group sizes the kernels accept: a power of two up to {@link GroupReduce#MAX_GROUP}. */
    public static int checkedGroup(int groupSize) {
        if (groupSize < 1 || groupSize > GroupReduce.MAX_GROUP || Integer.bitCount(groupSize) != 1) {
            throw new IllegalArgumentException("work-group size must be a power of two from 1 to "
                    + GroupReduce.MAX_GROUP + ", got " + groupSize);
        }
        return groupSize;
    }

    private static WorkerGrid grid(long global, int groupSize) {
        if (global > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("launch of " + global + " threads exceeds the 1D grid limit");
        }
        WorkerGrid grid = new WorkerGrid1D((int) global);
        grid.setLocalWork(groupSize, 1, 1);
        return grid;
    }
}
