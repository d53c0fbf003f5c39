package org.commvq.tornado.plan;

/** Element type of a device KV cache. */
public enum KvPrecision {
    /** float32: the reference, and the type PoCL can run. */
    F32,
    /** IEEE half, as the CPU fp16 cache and llama.cpp's default: half the bytes; needs half-float support. */
    F16
}
