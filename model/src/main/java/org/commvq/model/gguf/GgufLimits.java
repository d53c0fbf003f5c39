package org.commvq.model.gguf;

/**
 * Upper bounds on what a GGUF header may declare. Counts are first checked against the bytes left in the file; these
 * caps also stop a large but well-formed-looking file from making the reader allocate gigabytes of heap. Real models
 * stay far below them (a few thousand tensors, vocabularies of a few hundred thousand tokens).
 */
final class GgufLimits {
    static final long MAX_TENSORS = 1 << 20;
    static final long MAX_METADATA_ENTRIES = 1 << 20;
    static final long MAX_KEY_BYTES = 1 << 16;
    static final long MAX_TENSOR_NAME_BYTES = 1 << 16;
    static final long MAX_STRING_BYTES = 1 << 28;
    static final long MAX_ARRAY_LENGTH = 1 << 24;
    /** Array elements over all metadata entries together. */
    static final long MAX_METADATA_ELEMENTS = 1 << 25;
    static final int MAX_ARRAY_NESTING = 8;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    static final long MAX_ALIGNMENT = 1 << 20;
    static final long DEFAULT_ALIGNMENT = 32;

    private GgufLimits() {
    }
}
