package org.commvq.model.gguf;

/** One tensor as the header declares it; offset is relative to the start of the data section. */
record GgufTensorInfo(String name, GgmlType type, long[] dims, long elementCount, long offset, long byteSize) {
}
