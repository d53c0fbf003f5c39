package org.commvq.cache.commvq;

import org.commvq.cache.ModelShape;

/**
 * The post-RoPE query heads of a run of queries as attention rows: row = (query − first)·heads + head. Each row is
 * kept interleaved (for dots with rotated keys) and split, x's then y's of its pairs (for the codebook kernels,
 * whose tables are split the same way).
 */
final class CommVqQueryRows {
    final int rows;
    final int headDim;
    final int[] kvHead;
    final int[] query;
    final float[] interleaved;
    final float[] split;
    final int[][] rowsOfKvHead;

    CommVqQueryRows(ModelShape shape, float[] queries, int firstQuery, int queryCount) {
        int heads = shape.heads();
        int pairs = shape.headDim() / 2;
        this.headDim = shape.headDim();
        this.rows = queryCount * heads;
        this.kvHead = new int[rows];
        this.query = new int[rows];
        this.interleaved = new float[rows * headDim];
        this.split = new float[rows * headDim];
        int[] counts = new int[shape.kvHeads()];
        for (int row = 0; row < rows; row++) {
            int i = firstQuery + row / heads;
            int h = row % heads;
            query[row] = i;
            kvHead[row] = h / shape.groupSize();
            counts[kvHead[row]]++;
            int src = i * shape.queryDim() + h * headDim;
            System.arraycopy(queries, src, interleaved, row * headDim, headDim);
            for (int p = 0; p < pairs; p++) {
                split[row * headDim + p] = queries[src + 2 * p];
                split[row * headDim + pairs + p] = queries[src + 2 * p + 1];
            }
        }
        this.rowsOfKvHead = new int[shape.kvHeads()][];
        for (int g = 0; g < counts.length; g++) {
            rowsOfKvHead[g] = new int[counts[g]];
            counts[g] = 0;
        }
        for (int row = 0; row < rows; row++) {
            rowsOfKvHead[kvHead[row]][counts[kvHead[row]]++] = row;
        }
    }
}
