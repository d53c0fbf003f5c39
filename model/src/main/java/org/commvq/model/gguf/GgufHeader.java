package org.commvq.model.gguf;

import java.util.List;

/** Everything before the tensor data: version, metadata, tensor infos, and where the data section starts. */
record GgufHeader(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, long alignment,
        long dataOffset) {
}
