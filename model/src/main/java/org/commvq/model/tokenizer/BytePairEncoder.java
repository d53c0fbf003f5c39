package org.commvq.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE over token ids: a piece starts as one token per UTF-8 byte, and adjacent pairs are merged lowest
 * rank first, leftmost first among equal ranks (the order of HF tokenizers). Results are cached per piece because
 * natural text repeats the same words over and over.
 */
final class BytePairEncoder {
    /** Enough for the distinct words of a large corpus; past it the cache starts over rather than growing. */
    private static final int CACHE_LIMIT = 1 << 18;

    private final Map<String, Integer> vocab;
    private final Map<Long, Integer> pairRank = new HashMap<>();
    private final int[] mergedId;
    private final int[] byteId = new int[256];
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab        byte-level token strings to ids
     * @param merges       pairs in rank order; a pair whose parts or result are not in the vocabulary is skipped
     * @param ignoreMerges take a piece that is a whole vocabulary entry as it is (Llama 3)
     */
    BytePairEncoder(Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges) {
        this.vocab = vocab;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(ByteLevel.charOf(b)));
            if (id == null) {
                throw new IllegalArgumentException("the vocabulary has no token for byte 0x"
                        + Integer.toHexString(b) + " ('" + ByteLevel.charOf(b) + "'), so some text cannot be encoded");
            }
            byteId[b] = id;
        }
        int[] merged = new int[merges.size()];
        int rank = 0;
        for (String[] pair : merges) {
            Integer left = vocab.get(pair[0]);
            Integer right = vocab.get(pair[1]);
            Integer result = vocab.get(pair[0] + pair[1]);
            if (left == null || right == null || result == null) {
                continue;
            }
            if (pairRank.putIfAbsent(key(left, right), rank) == null) {
                merged[rank++] = result;
            }
        }
        this.mergedId = Arrays.copyOf(merged, rank);
    }

    int mergeCount() {
        return mergedId.length;
    }

    /** Appends the ids of one pre-tokenized piece to {@code out}. */
    void encode(String piece, IntList out) {
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = encodeUncached(piece);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    private int[] encodeUncached(String piece) {
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(piece));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        byte[] utf8 = piece.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        int[] ids = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] gone = new boolean[n];
        for (int i = 0; i < n; i++) {
            ids[i] = byteId[utf8[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        // Entries are rank << 32 | position, so the natural order is lowest rank, then leftmost.
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, i, ids[i], ids[i + 1]);
        }
        int alive = n;
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int i = (int) top;
            int j = gone[i] ? -1 : next[i];
            if (j < 0 || rank(ids[i], ids[j]) != rank) {
                continue;
            }
            ids[i] = mergedId[rank];
            gone[j] = true;
            alive--;
            next[i] = next[j];
            if (next[j] >= 0) {
                prev[next[j]] = i;
            }
            if (prev[i] >= 0) {
                offer(queue, prev[i], ids[prev[i]], ids[i]);
            }
            if (next[i] >= 0) {
                offer(queue, i, ids[i], ids[next[i]]);
            }
        }
        int[] result = new int[alive];
        for (int i = 0, k = 0; i >= 0 && k < alive; i = next[i]) {
            result[k++] = ids[i];
        }
        return result;
    }

    private void offer(PriorityQueue<Long> queue, int position, int left, int right) {
        int rank = rank(left, right);
        if (rank >= 0) {
            queue.add(((long) rank << 32) | position);
        }
    }

    private int rank(int left, int right) {
        Integer r = pairRank.get(key(left, right));
        return r == null ? -1 : r;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }
}
